# SPDX-License-Identifier: MIT
# Where `cmake --install` puts the plugin, and the RPATHs that let the installed libraries find OpenMM, libtorch
# and each other. Two layouts:
#  - the Python wheel (scikit-build-core sets SKBUILD): everything inside site-packages/openmmtsf/, the GPU kernel
#    libraries in openmmtsf/plugins/; OpenMM's libraries are in site-packages/OpenMM.libs/lib(/plugins), libtorch in
#    site-packages/torch/lib and the CUDA runtime in site-packages/nvidia/cu13/lib;
#  - a C++ installation (the default prefix is OpenMM's own, as for OpenMM's other plugins): the API libraries in
#    lib/, the kernel libraries in lib/plugins/ where Platform::loadPluginsFromDirectory finds them, headers in
#    include/, and the CMake package OpenMMTSF in lib/cmake/OpenMMTSF/.
# Defines TSF_LIBRARY_DESTINATION, TSF_PLUGIN_DESTINATION, TSF_LIBRARY_RPATH, TSF_PLUGIN_RPATH, and the
# destination and RPATH of the Reference kernel library (a plugin in the C++ layout; in the wheel it sits next to the
# SWIG module, which links it).
if(SKBUILD)
    set(TSF_LIBRARY_DESTINATION openmmtsf)
    set(TSF_PLUGIN_DESTINATION openmmtsf/plugins)
    set(TSF_REFERENCE_DESTINATION openmmtsf)
    set(TSF_LIBRARY_RPATH "$ORIGIN;$ORIGIN/../OpenMM.libs/lib;$ORIGIN/../torch/lib;$ORIGIN/../nvidia/cu13/lib")
    set(TSF_PLUGIN_RPATH "$ORIGIN/..;$ORIGIN/../../OpenMM.libs/lib;$ORIGIN/../../OpenMM.libs/lib/plugins;$ORIGIN/../../torch/lib;$ORIGIN/../../nvidia/cu13/lib")
    set(TSF_REFERENCE_RPATH "${TSF_LIBRARY_RPATH}")
else()
    if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT)
        get_filename_component(_openmm_prefix ${OpenMM_INCLUDE_DIR} DIRECTORY)
        set(CMAKE_INSTALL_PREFIX ${_openmm_prefix} CACHE PATH "Install prefix (OpenMM's by default)" FORCE)
    endif()
    set(TSF_LIBRARY_DESTINATION lib)
    set(TSF_PLUGIN_DESTINATION lib/plugins)
    set(TSF_REFERENCE_DESTINATION lib/plugins)
    # Absolute paths to OpenMM's libraries and libtorch's, wherever they were found.
    get_filename_component(_openmm_library_dir ${OpenMM_LIBRARY} DIRECTORY)
    set(TSF_LIBRARY_RPATH "$ORIGIN;${_openmm_library_dir};${TORCH_INSTALL_PREFIX}/lib")
    set(TSF_PLUGIN_RPATH "$ORIGIN/..;${_openmm_library_dir};${_openmm_library_dir}/plugins;${TORCH_INSTALL_PREFIX}/lib")
    set(TSF_REFERENCE_RPATH "${TSF_PLUGIN_RPATH}")
endif()
