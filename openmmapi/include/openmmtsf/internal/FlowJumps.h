// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_FLOW_JUMPS_H_
#define OPENMM_TSF_FLOW_JUMPS_H_

#include "openmmtsf/internal/LatentMoveSettings.h"
#include "openmm/Kernel.h"
#include "openmm/Vec3.h"
#include <vector>

namespace OpenMM {
class ContextImpl;
}

namespace TSFPlugin {

class TSFForce;
class TSFForceImpl;

/**
 * Flow jumps during MD (TSFForce frequency > 0), in the manner of MonteCarloBarostat: every `frequency` steps of an
 * ordinary thermostatted integrator, one latent Metropolis move of the molecule at the integrator's temperature, made
 * by an IntegrateTSFStepKernel of one replica; after an accepted one, velocities from Maxwell-Boltzmann.
 */
class FlowJumps {
public:
    /**
     * Check that the Context's integrator is a supported thermostat and create the kernel that makes the moves (it is
     * initialized at the first jump, once every force and the integrator are: GPU platforms set up their force buffers
     * only then).
     */
    explicit FlowJumps(OpenMM::ContextImpl& context);
    /**
     * Count one MD step, and make a jump if `frequency` steps have passed since the last.
     *
     * @return whether a jump was attempted (forces are then invalid)
     */
    bool step(OpenMM::ContextImpl& context, TSFForceImpl& force);
    /** How many jumps were attempted. */
    long long getNumAttempted() const;
    /** How many jumps were accepted. */
    long long getNumAccepted() const;
private:
    /**
     * The temperature (kelvin) and random seed of the Context's thermostatted integrator (seed 0 where it has
     * none), so that jumps run at its temperature and are as reproducible as the MD.
     */
    static void readIntegrator(OpenMM::ContextImpl& context, double& temperature, int& seed);
    /**
     * After an accepted jump the Context holds velocities drawn from Maxwell-Boltzmann: velocities at the time of
     * the new positions x. LangevinMiddleIntegrator stores velocities half a step earlier,
     * v(t - dt/2) = v(t) - (dt/2) F(x)/m, paired with the positions as its own steps pair them. Without this shift
     * every accepted jump narrows the stiff modes by a factor (1 - omega^2 dt^2) in variance (for a harmonic mode of
     * angular frequency omega), a bias of order dt^2 that plain MD with this integrator does not have.
     */
    void velocitiesToHalfStepBefore(OpenMM::ContextImpl& context);
    /** The settings of the next jump: one replica at the integrator's temperature, prior moves from banks of 64. */
    LatentMoveSettings settings;
    int randomNumberSeed;
    OpenMM::Kernel kernel;
    bool kernelReady = false;
    /** Buffers of velocitiesToHalfStepBefore() (nm/ps, kJ/mol/nm), reused from jump to jump. */
    std::vector<OpenMM::Vec3> velocities, forces;
    long long stepsSinceJump = 0, attempted = 0, accepted = 0;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_FLOW_JUMPS_H_*/
