// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_COMMON_KERNEL_SOURCES_H_
#define OPENMM_TSF_COMMON_KERNEL_SOURCES_H_

#include <string>

namespace TSFPlugin {

/** The device kernels in OpenMM's common kernel language, embedded at build time from src/kernels/. */
struct CommonTSFKernelSources {
    /** kernels/internalCoordinates.cc */
    static const std::string internalCoordinates;
    /** kernels/replicas.cc */
    static const std::string replicas;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_COMMON_KERNEL_SOURCES_H_*/
