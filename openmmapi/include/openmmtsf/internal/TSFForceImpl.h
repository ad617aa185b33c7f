// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_FORCE_IMPL_H_
#define OPENMM_TSF_FORCE_IMPL_H_

#include "openmmtsf/TSFForce.h"
#include "openmmtsf/TSFIntegrator.h"
#include "openmmtsf/TSFKernels.h"
#include "openmmtsf/internal/TSFModel.h"
#include "openmm/Kernel.h"
#include "openmm/internal/ForceImpl.h"
#include <memory>

namespace TSFPlugin {

/**
 * The TSFForce in a Context: the loaded model and the platform's internal-coordinate kernel, which the
 * integrator uses. It adds no energy.
 */
class TSFForceImpl : public OpenMM::ForceImpl {
public:
    explicit TSFForceImpl(const TSFForce& owner);
    /** Load the model, check it against the Z-matrix and create the IC kernel. */
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
    /**
     * The temperature (kelvin) and random seed of the Context's thermostatted integrator (seed 0 where it has
     * none), so that jumps run at its temperature and are as reproducible as the MD.
     */
    static void readIntegrator(OpenMM::ContextImpl& context, double& temperature, int& seed);
    /** Set up the jump machinery (checks that the Context's integrator is a supported thermostat). */
    void prepareJumps(OpenMM::ContextImpl& context);
    const TSFForce& owner;
    std::shared_ptr<const TSFModel> model;
    OpenMM::Kernel internalCoordinatesKernel;
    /** For jumps during MD: the move's settings (one replica) and the kernel that makes it. */
    std::unique_ptr<TSFIntegrator> jumpSettings;
    OpenMM::Kernel jumpKernel;
    bool jumpKernelReady = false;
    long long stepsSinceJump = 0, jumpsAttempted = 0, jumpsAccepted = 0;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_FORCE_IMPL_H_*/
