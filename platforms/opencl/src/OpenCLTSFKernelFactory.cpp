/*
 * Registers the common-compute TSF kernels with OpenMM's OpenCL platform.
 */
#include "CommonCalcInternalCoordinatesKernel.h"
#include "CommonIntegrateTSFStepKernel.h"
#include "openmmtsf/TSFRegistration.h"
#include "openmm/KernelFactory.h"
#include "openmm/OpenMMException.h"
#include "openmm/internal/ContextImpl.h"
#include "OpenCLContext.h"
#include "OpenCLPlatform.h"

using namespace TSFPlugin;
using OpenMM::OpenMMException;

namespace {

/** Creates the TSF kernels in a Context's OpenCL context. */
class OpenCLTSFKernelFactory : public OpenMM::KernelFactory {
public:
    OpenMM::KernelImpl* createKernelImpl(std::string name, const OpenMM::Platform& platform, OpenMM::ContextImpl& context) const override {
        auto& data = *static_cast<OpenMM::OpenCLPlatform::PlatformData*>(context.getPlatformData());
        OpenMM::ComputeContext& cc = *data.contexts[0];
        if (name == CalcInternalCoordinatesKernel::Name())
            return new CommonCalcInternalCoordinatesKernel(name, platform, cc);
        if (name == IntegrateTSFStepKernel::Name())
            return new CommonIntegrateTSFStepKernel(name, platform, cc);
        throw OpenMMException("OpenCLTSFKernelFactory: no kernel named '" + name + "'");
    }
};

} // namespace

void TSFPlugin::registerTSFOpenCLKernelFactories() {
    for (int i = 0; i < OpenMM::Platform::getNumPlatforms(); i++) {
        OpenMM::Platform& platform = OpenMM::Platform::getPlatform(i);
        if (platform.getName() == "OpenCL") {
            auto* factory = new OpenCLTSFKernelFactory();
            platform.registerKernelFactory(CalcInternalCoordinatesKernel::Name(), factory);
            platform.registerKernelFactory(IntegrateTSFStepKernel::Name(), factory);
        }
    }
}

extern "C" OPENMM_EXPORT void registerKernelFactories() {
    registerTSFOpenCLKernelFactories();
}
