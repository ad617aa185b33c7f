/*
 * Registers the common-compute TSF kernels with OpenMM's CUDA platform.
 */
#include "CommonTSFKernelFactory.h"
#include "openmmtsf/TSFRegistration.h"
#include "CudaContext.h"
#include "CudaPlatform.h"

void TSFPlugin::registerTSFCudaKernelFactories() {
    registerCommonTSFKernelFactories<OpenMM::CudaPlatform::PlatformData>("CUDA");
}

extern "C" TSF_EXPORT void registerKernelFactories() {
    TSFPlugin::registerTSFCudaKernelFactories();
}
