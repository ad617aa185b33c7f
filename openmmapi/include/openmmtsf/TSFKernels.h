// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_KERNELS_H_
#define OPENMM_TSF_KERNELS_H_

#include "openmmtsf/InternalCoordinates.h"
#include "openmmtsf/internal/LatentMoveSettings.h"
#include "openmm/KernelImpl.h"
#include "openmm/Platform.h"
#include "openmm/System.h"
#include "openmm/Vec3.h"
#include <iosfwd>
#include <string>
#include <vector>

namespace OpenMM {
class ContextImpl;
}

namespace TSFPlugin {

/**
 * The internal-coordinate transform of one molecule, batched over B configurations.
 *
 * Layouts (all row-major, double precision on the host, whatever the platform computes in):
 * - positions: [B, M, 3] in nm, the definition's particles in increasing particle index;
 * - coordinates: [B, n], the IC vector of InternalCoordinates (nm and radians);
 * - frames: [B, 3, 3] or [3, 3] (one frame shared by the batch), the positions in nm of the particles of
 *   Z-matrix rows 0, 1 and 2 in a reference configuration;
 * - logDetJacobian: [B].
 *
 * The Jacobian is that of the full map (frame, ICs) -> Cartesian positions, where the frame is the position
 * of root atom 0 and the orientation of the root (the polar angle alpha and azimuth of the bond from root
 * atom 0 to root atom 1, and the rotation of root atom 2 about that bond):
 *     log|det J| = sum_{rows r >= 1} 2 log b_r + sum_{rows r >= 2} log sin(theta_r) + log sin(alpha).
 * Fixed bonds enter with their fixed length. forward() returns minus this quantity, evaluated at the input.
 */
class CalcInternalCoordinatesKernel : public OpenMM::KernelImpl {
public:
    /** The name under which platforms register this kernel. */
    static std::string Name() {
        return "CalcInternalCoordinates";
    }
    CalcInternalCoordinatesKernel(std::string name, const OpenMM::Platform& platform) : OpenMM::KernelImpl(name, platform) {
    }
    /** Prepare the kernel for one Z-matrix. */
    virtual void initialize(const InternalCoordinates& definition) = 0;
    /**
     * Cartesian -> IC. Throws OpenMMException if a configuration has coincident or collinear reference atoms.
     *
     * @param numConfigurations  B
     * @param positions          [B, M, 3] in nm
     * @param coordinates        on exit, [B, n]
     * @param logDetJacobian     on exit, [B]: log|det d(frame, IC)/dx|
     */
    virtual void forward(int numConfigurations, const std::vector<double>& positions,
            std::vector<double>& coordinates, std::vector<double>& logDetJacobian) = 0;
    /**
     * IC -> Cartesian in a given frame. Out-of-range rows are reported, never wrapped; their positions
     * and log-determinants are unspecified.
     *
     * @param numConfigurations  B
     * @param coordinates        [B, n]
     * @param frames             [B, 3, 3] or [3, 3], in nm
     * @param positions          on exit, [B, M, 3] in nm
     * @param logDetJacobian     on exit, [B]: log|det dx/d(frame, IC)|
     * @param outOfRange         on exit, [B]: 1 where a bond is <= 0, an angle is outside (0, pi), a torsion
     *                           outside (-pi, pi] or a value is not finite; 0 otherwise
     */
    virtual void inverse(int numConfigurations, const std::vector<double>& coordinates, const std::vector<double>& frames,
            std::vector<double>& positions, std::vector<double>& logDetJacobian, std::vector<int>& outOfRange) = 0;
    /**
     * The vector-Jacobian product of inverse() with respect to the ICs (the frame is held fixed).
     *
     * @param numConfigurations     B
     * @param coordinates           [B, n]
     * @param frames                [B, 3, 3] or [3, 3], in nm
     * @param positionsGradient     [B, M, 3]: dL/dx
     * @param logDetGradient        [B]: dL/d(log|det J|)
     * @param coordinatesGradient   on exit, [B, n]: dL/d(IC)
     */
    virtual void inverseVjp(int numConfigurations, const std::vector<double>& coordinates, const std::vector<double>& frames,
            const std::vector<double>& positionsGradient, const std::vector<double>& logDetGradient,
            std::vector<double>& coordinatesGradient) = 0;
};

class TSFIntegrator;
class TSFForceImpl;
struct TSFStatistics;

/**
 * The replicas of a TSFIntegrator, or of flow jumps during MD, and the steps that move and exchange them. It holds
 * every replica's configuration, energy and walker, the random streams, the adapted step sizes and the statistics;
 * the integrator (or the TSFForce) holds the settings. The Context always holds replica 0 when control returns to the
 * user.
 */
class IntegrateTSFStepKernel : public OpenMM::KernelImpl {
public:
    /** The name under which platforms register this kernel. */
    static std::string Name() {
        return "IntegrateTSFStep";
    }
    IntegrateTSFStepKernel(std::string name, const OpenMM::Platform& platform) : OpenMM::KernelImpl(name, platform) {
    }
    /**
     * Prepare for a System and the TSFForce whose model moves it.
     *
     * @param system            the System
     * @param force             the TSFForce's implementation in the same Context (model and IC kernel)
     * @param latentStepSizes   the initial random-walk step size of each replica (their number is the replica count)
     * @param randomNumberSeed  the seed of every random stream
     */
    virtual void initialize(const OpenMM::System& system, TSFForceImpl& force, const std::vector<double>& latentStepSizes,
            int randomNumberSeed) = 0;
    /** Take a number of steps with the integrator's settings: moves of every replica, and exchanges at its interval. */
    virtual void execute(OpenMM::ContextImpl& context, const TSFIntegrator& integrator, int steps) = 0;
    /**
     * One latent move of the Context's current configuration, for flow jumps during MD (TSFForce frequency):
     * replica 0 is taken from the Context, moved at settings.temperatures[0], and, if the move is accepted, written
     * back with velocities drawn from Maxwell-Boltzmann at that temperature.
     *
     * @return whether the move was accepted
     */
    virtual bool jump(OpenMM::ContextImpl& context, const LatentMoveSettings& settings) = 0;
    /** Get the positions (nm) of every particle of one replica. */
    virtual void getReplicaPositions(OpenMM::ContextImpl& context, int replica, std::vector<OpenMM::Vec3>& positions) = 0;
    /** Get every replica's potential energy (kJ/mol) of the integration force groups, recomputing stale ones. */
    virtual void getReplicaEnergies(OpenMM::ContextImpl& context, std::vector<double>& energies) = 0;
    /** Set the positions (nm) of every particle of one replica. */
    virtual void setReplicaPositions(OpenMM::ContextImpl& context, int replica, const std::vector<OpenMM::Vec3>& positions) = 0;
    /** Note that the user set the Context's positions, which become replica 0 at the next access. */
    virtual void contextPositionsChanged() = 0;
    /**
     * Note that every replica's energy may have changed (a global parameter, a force's parameters, the System):
     * they are recomputed at the next access.
     */
    virtual void energiesChanged() = 0;
    /** Get the walker at each replica. */
    virtual std::vector<int> getWalkers() const = 0;
    /** Get the counts. */
    virtual const TSFStatistics& getStatistics() const = 0;
    /** Set every count to zero. */
    virtual void resetStatistics() = 0;
    /** Get a replica's random-walk step size sigma, as adapted so far. */
    virtual double getLatentStepSize(int replica) const = 0;
    /** Set a replica's random-walk step size sigma. */
    virtual void setLatentStepSize(int replica, double sigma) = 0;
    /** Write every replica's state, the random streams, the statistics and the adapted step sizes. */
    virtual void createCheckpoint(OpenMM::ContextImpl& context, const TSFIntegrator& integrator, std::ostream& stream) = 0;
    /**
     * Restore what createCheckpoint() wrote; a checkpoint that is refused changes nothing.
     *
     * @return K, the proposals per flow call of the checkpoint's bank, which becomes the integrator's setting
     */
    virtual int loadCheckpoint(OpenMM::ContextImpl& context, const TSFIntegrator& integrator, std::istream& stream) = 0;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_KERNELS_H_*/
