// SPDX-License-Identifier: MIT
#include "ReferenceTSFKernelFactory.h"
#include "ReferenceIntegrateTSFStepKernel.h"
#include "ReferenceTSFKernels.h"
#include "openmmtsf/TSFRegistration.h"
#include "openmm/OpenMMException.h"
#include "ReferencePlatform.h"

using namespace TSFPlugin;
using OpenMM::OpenMMException;

OpenMM::KernelImpl* ReferenceTSFKernelFactory::createKernelImpl(std::string name, const OpenMM::Platform& platform, OpenMM::ContextImpl& context) const {
    if (name == CalcInternalCoordinatesKernel::Name())
        return new ReferenceCalcInternalCoordinatesKernel(name, platform);
    if (name == IntegrateTSFStepKernel::Name())
        return new ReferenceIntegrateTSFStepKernel(name, platform);
    throw OpenMMException("ReferenceTSFKernelFactory: no kernel named '" + name + "'");
}

void TSFPlugin::registerTSFReferenceKernelFactories() {
    for (int i = 0; i < OpenMM::Platform::getNumPlatforms(); i++) {
        OpenMM::Platform& platform = OpenMM::Platform::getPlatform(i);
        if (dynamic_cast<OpenMM::ReferencePlatform*>(&platform) != nullptr) {
            auto* factory = new ReferenceTSFKernelFactory();
            platform.registerKernelFactory(CalcInternalCoordinatesKernel::Name(), factory);
            platform.registerKernelFactory(IntegrateTSFStepKernel::Name(), factory);
        }
    }
}

/**
 * OpenMM's plugin loader calls registerPlatforms() in every library it loads, and dlsym would otherwise find the
 * one of the OpenMM platform library this library links, registering that platform a second time.
 */
extern "C" TSF_EXPORT void registerPlatforms() {
}

extern "C" TSF_EXPORT void registerKernelFactories() {
    registerTSFReferenceKernelFactories();
}
