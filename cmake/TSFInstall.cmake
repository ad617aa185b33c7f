# SPDX-License-Identifier: MIT
# The install rules (destinations and RPATHs from TSFInstallLayout.cmake).
install(TARGETS OpenMMTSF EXPORT OpenMMTSFTargets LIBRARY DESTINATION ${TSF_LIBRARY_DESTINATION})
install(TARGETS OpenMMTSFReference EXPORT OpenMMTSFTargets LIBRARY DESTINATION ${TSF_REFERENCE_DESTINATION})
foreach(plugin OpenMMTSFOpenCL OpenMMTSFCUDA)
    if(TARGET ${plugin})
        install(TARGETS ${plugin} LIBRARY DESTINATION ${TSF_PLUGIN_DESTINATION})
    endif()
endforeach()
if(SKBUILD)
    return()
endif()

# For C++ users: headers and a CMake package, find_package(OpenMMTSF) -> OpenMMTSF::OpenMMTSF and
# OpenMMTSF::OpenMMTSFReference.
install(DIRECTORY openmmapi/include/ serialization/include/ DESTINATION include)
include(CMakePackageConfigHelpers)
install(EXPORT OpenMMTSFTargets NAMESPACE OpenMMTSF:: DESTINATION lib/cmake/OpenMMTSF)
configure_package_config_file(cmake/OpenMMTSFConfig.cmake.in ${CMAKE_BINARY_DIR}/OpenMMTSFConfig.cmake
    INSTALL_DESTINATION lib/cmake/OpenMMTSF)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/OpenMMTSFConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/OpenMMTSFConfig.cmake ${CMAKE_BINARY_DIR}/OpenMMTSFConfigVersion.cmake
    cmake/FindOpenMM.cmake DESTINATION lib/cmake/OpenMMTSF)
