// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_FORCE_IMPL_H_
#define OPENMM_TSF_FORCE_IMPL_H_

#include "openmmtsf/TSFForce.h"
#include "openmmtsf/TSFIntegrator.h"
#include "openmmtsf/TSFKernels.h"
#include "openmmtsf/internal/TSFModel.h"
#include "openmm/Kernel.h"
#include "openmm/internal/ForceImpl.h"
#include "openmm/Vec3.h"
#include <memory>
#include <vector>

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
    /**
     * After an accepted jump the Context holds velocities drawn from Maxwell-Boltzmann: velocities at the time of
     * the new positions x. LangevinMiddleIntegrator (and LangevinIntegrator, its subclass) stores velocities half a
     * step earlier, v(t - dt/2) = v(t) - (dt/2) F(x)/m, paired with the positions as its own steps pair them.
     * Without this shift every accepted jump narrows the stiff modes by a factor (1 - omega^2 dt^2) in variance
     * (for a harmonic mode of angular frequency omega), a bias of order dt^2 that plain MD with this integrator
     * does not have.
     */
    void velocitiesToHalfStepBefore(OpenMM::ContextImpl& context);
    const TSFForce& owner;
    std::shared_ptr<const TSFModel> model;
    OpenMM::Kernel internalCoordinatesKernel;
    /** For jumps during MD: the move's settings (one replica) and the kernel that makes it. */
    std::unique_ptr<TSFIntegrator> jumpSettings;
    OpenMM::Kernel jumpKernel;
    bool jumpKernelReady = false;
    /** Buffers of velocitiesToHalfStepBefore() (nm/ps, kJ/mol/nm), reused from jump to jump. */
    std::vector<OpenMM::Vec3> jumpVelocities, jumpForces;
    long long stepsSinceJump = 0, jumpsAttempted = 0, jumpsAccepted = 0;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_FORCE_IMPL_H_*/
