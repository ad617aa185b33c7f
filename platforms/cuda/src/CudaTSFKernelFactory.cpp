// SPDX-License-Identifier: MIT
/*
 * Registers the common-compute TSF kernels with OpenMM's CUDA platform.
 */
#include "CommonTSFKernelFactory.h"
#include "CudaIntegrateTSFStepKernel.h"
#include "openmmtsf/TSFRegistration.h"
#include "CudaContext.h"
#include "CudaPlatform.h"

void TSFPlugin::registerTSFCudaKernelFactories() {
    registerCommonTSFKernelFactories<OpenMM::CudaPlatform::PlatformData, CudaIntegrateTSFStepKernel>("CUDA");
}

/**
 * OpenMM's plugin loader calls registerPlatforms() in every library it loads, and dlsym would otherwise find the
 * one of the OpenMM platform library this library links, registering that platform a second time.
 */
extern "C" TSF_EXPORT void registerPlatforms() {
}

extern "C" TSF_EXPORT void registerKernelFactories() {
    TSFPlugin::registerTSFCudaKernelFactories();
}
