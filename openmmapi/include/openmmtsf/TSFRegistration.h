// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_REGISTRATION_H_
#define OPENMM_TSF_REGISTRATION_H_

/** Marks the plugin libraries' entry points as exported, also from libraries built with hidden visibility. */
#if defined(__GNUC__)
#define TSF_EXPORT __attribute__((visibility("default")))
#else
#define TSF_EXPORT
#endif

namespace TSFPlugin {

/**
 * Register the TSF kernels with every ReferencePlatform loaded so far (Reference, and CPU once OpenMM's
 * plugins are loaded). Defined in the OpenMMTSFReference library. Loading that library as an OpenMM plugin
 * does the same; call this when the library is linked directly, after Platform::loadPluginsFromDirectory().
 */
TSF_EXPORT void registerTSFReferenceKernelFactories();

/**
 * Register the TSF kernels with OpenMM's OpenCL platform, if it is loaded. Defined in the OpenMMTSFOpenCL
 * library, which is built where OpenMM's OpenCL platform and the lepton headers are found.
 */
TSF_EXPORT void registerTSFOpenCLKernelFactories();

/**
 * Register the TSF kernels with OpenMM's CUDA platform, if it is loaded. Defined in the OpenMMTSFCUDA library,
 * which is built where OpenMM's CUDA platform headers and the CUDA toolkit are found.
 */
TSF_EXPORT void registerTSFCudaKernelFactories();

} // namespace TSFPlugin

#endif /*OPENMM_TSF_REGISTRATION_H_*/
