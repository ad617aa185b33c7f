/*
 * Registers the common-compute TSF kernels with OpenMM's OpenCL platform.
 */
#include "CommonTSFKernelFactory.h"
#include "openmmtsf/TSFRegistration.h"
#include "OpenCLContext.h"
#include "OpenCLPlatform.h"

void TSFPlugin::registerTSFOpenCLKernelFactories() {
    registerCommonTSFKernelFactories<OpenMM::OpenCLPlatform::PlatformData>("OpenCL");
}

extern "C" TSF_EXPORT void registerKernelFactories() {
    TSFPlugin::registerTSFOpenCLKernelFactories();
}
