// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_FORCE_IMPL_H_
#define OPENMM_TSF_FORCE_IMPL_H_

#include "openmmtsf/TSFForce.h"
#include "openmmtsf/internal/FlowJumps.h"
#include "openmm/Kernel.h"
#include "openmm/internal/ForceImpl.h"
#include <memory>

namespace TSFPlugin {

class TSFModel;

/**
 * The TSFForce in a Context: the force's model and the platform's internal-coordinate kernel, which the integrator
 * uses, and the force's flow jumps during MD (FlowJumps) when its frequency is above 0. It adds no energy.
 */
class TSFForceImpl : public OpenMM::ForceImpl {
public:
    explicit TSFForceImpl(const TSFForce& owner);
    ~TSFForceImpl();
    /** Check the model against the Z-matrix and create the IC kernel. */
    void initialize(OpenMM::ContextImpl& context) override;
    const TSFForce& getOwner() const override {
        return owner;
    }
    /** Every `frequency` steps, a flow jump at the integrator's temperature (see TSFForce). */
    void updateContextState(OpenMM::ContextImpl& context, bool& forcesInvalid) override;
    double calcForcesAndEnergy(OpenMM::ContextImpl& context, bool includeForces, bool includeEnergy, int groups) override {
        return 0.0;
    }
    std::map<std::string, double> getDefaultParameters() override {
        return {};
    }
    std::vector<std::string> getKernelNames() override;
    /** The loaded model, shared with the kernels that use it (they may outlive this ForceImpl at teardown). */
    std::shared_ptr<const TSFModel> getModel() const;
    /**
     * The platform's internal-coordinate kernel for the owner's Z-matrix: a reference-counted handle, which a
     * kernel that uses it keeps.
     */
    const OpenMM::Kernel& getInternalCoordinatesKernel() const;
    /** How many flow jumps were attempted. */
    long long getNumJumpsAttempted() const;
    /** How many flow jumps were accepted. */
    long long getNumJumpsAccepted() const;
private:
    const TSFForce& owner;
    OpenMM::Kernel internalCoordinatesKernel;
    /** The flow jumps during MD, made once the frequency is above 0 (it is read at every step). */
    std::unique_ptr<FlowJumps> jumps;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_FORCE_IMPL_H_*/
