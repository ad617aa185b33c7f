// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_REFERENCE_KERNEL_FACTORY_H_
#define OPENMM_TSF_REFERENCE_KERNEL_FACTORY_H_

#include "openmm/KernelFactory.h"

namespace TSFPlugin {

/** Creates the TSF kernels for every ReferencePlatform (Reference and CPU). */
class ReferenceTSFKernelFactory : public OpenMM::KernelFactory {
public:
    OpenMM::KernelImpl* createKernelImpl(std::string name, const OpenMM::Platform& platform, OpenMM::ContextImpl& context) const override;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_REFERENCE_KERNEL_FACTORY_H_*/
