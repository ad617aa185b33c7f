# SPDX-License-Identifier: MIT
# Locates an OpenMM installation that ships no CMake package configuration (as Debian's does).
#
# Honours OPENMM_DIR (an installation prefix) first, then the system paths.
# Defines the imported target OpenMM::OpenMM and the variables OpenMM_INCLUDE_DIRS,
# OpenMM_LIBRARY and OpenMM_PLUGIN_DIR.

find_path(OpenMM_INCLUDE_DIR openmm/Force.h
    HINTS ${OPENMM_DIR} ENV OPENMM_DIR
    PATH_SUFFIXES include)
find_library(OpenMM_LIBRARY OpenMM
    HINTS ${OPENMM_DIR} ENV OPENMM_DIR
    PATH_SUFFIXES lib lib64)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(OpenMM REQUIRED_VARS OpenMM_LIBRARY OpenMM_INCLUDE_DIR)

if(OpenMM_FOUND AND NOT TARGET OpenMM::OpenMM)
    # Debian installs OpenMM's headers under include/openmm, and they include each other both as
    # "openmm/X.h" and as "X.h"; the reference headers also include each other without a prefix.
    set(OpenMM_INCLUDE_DIRS
        ${OpenMM_INCLUDE_DIR}
        ${OpenMM_INCLUDE_DIR}/openmm
        ${OpenMM_INCLUDE_DIR}/openmm/reference)
    get_filename_component(_openmm_libdir ${OpenMM_LIBRARY} DIRECTORY)
    find_path(OpenMM_PLUGIN_DIR NAMES plugins
        HINTS ${_openmm_libdir}/openmm ${_openmm_libdir}
        NO_DEFAULT_PATH)
    add_library(OpenMM::OpenMM SHARED IMPORTED)
    set_target_properties(OpenMM::OpenMM PROPERTIES
        IMPORTED_LOCATION ${OpenMM_LIBRARY}
        INTERFACE_INCLUDE_DIRECTORIES "${OpenMM_INCLUDE_DIRS}")
endif()
mark_as_advanced(OpenMM_INCLUDE_DIR OpenMM_LIBRARY OpenMM_PLUGIN_DIR)
