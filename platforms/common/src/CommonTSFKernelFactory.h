// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_COMMON_KERNEL_FACTORY_H_
#define OPENMM_TSF_COMMON_KERNEL_FACTORY_H_

#include "CommonCalcInternalCoordinatesKernel.h"
#include "CommonIntegrateTSFStepKernel.h"
#include "openmm/KernelFactory.h"
#include "openmm/OpenMMException.h"
#include "openmm/internal/ContextImpl.h"

namespace TSFPlugin {

/**
 * Creates the common-compute TSF kernels in a Context's ComputeContext, on a platform whose PlatformData
 * (OpenCLPlatform::PlatformData, CudaPlatform::PlatformData) lists its contexts. IntegrateKernel is the
 * integrator kernel: CommonIntegrateTSFStepKernel, or a platform's subclass of it.
 */
template <class PlatformData, class IntegrateKernel = CommonIntegrateTSFStepKernel>
class CommonTSFKernelFactory : public OpenMM::KernelFactory {
public:
    OpenMM::KernelImpl* createKernelImpl(std::string name, const OpenMM::Platform& platform, OpenMM::ContextImpl& context) const override {
        auto& data = *static_cast<PlatformData*>(context.getPlatformData());
        OpenMM::ComputeContext& cc = *data.contexts[0];
        if (name == CalcInternalCoordinatesKernel::Name())
            return new CommonCalcInternalCoordinatesKernel(name, platform, cc);
        if (name == IntegrateTSFStepKernel::Name())
            return new IntegrateKernel(name, platform, cc);
        throw OpenMM::OpenMMException("CommonTSFKernelFactory: no kernel named '" + name + "'");
    }
};

/** Register the TSF kernels with the loaded platform of a name, if there is one. */
template <class PlatformData, class IntegrateKernel = CommonIntegrateTSFStepKernel>
void registerCommonTSFKernelFactories(const std::string& platformName) {
    for (int i = 0; i < OpenMM::Platform::getNumPlatforms(); i++) {
        OpenMM::Platform& platform = OpenMM::Platform::getPlatform(i);
        if (platform.getName() == platformName) {
            auto* factory = new CommonTSFKernelFactory<PlatformData, IntegrateKernel>();
            platform.registerKernelFactory(CalcInternalCoordinatesKernel::Name(), factory);
            platform.registerKernelFactory(IntegrateTSFStepKernel::Name(), factory);
        }
    }
}

} // namespace TSFPlugin

#endif /*OPENMM_TSF_COMMON_KERNEL_FACTORY_H_*/
