// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_REPLICA_STORE_H_
#define OPENMM_TSF_REPLICA_STORE_H_

#include "openmmtsf/InternalCoordinates.h"
#include "openmmtsf/internal/LatentMoveBatch.h"
#include "openmm/Kernel.h"
#include "openmm/System.h"
#include "openmm/Vec3.h"
#include <vector>

namespace OpenMM {
class ContextImpl;
}

namespace TSFPlugin {

class TSFModel;

/**
 * The data path of a LatentSampler, which a platform supplies: where replica configurations live, the IC transform
 * of every replica, and how a replica or a trial configuration is put into the Context for its energy. The sampler
 * calls each hook once per replica per step (never per atom).
 */
class ReplicaStore {
public:
    virtual ~ReplicaStore() = default;
    /**
     * Prepare for a number of replicas of a molecule.
     *
     * @param system        the System
     * @param definition    the molecule's Z-matrix
     * @param icKernel      the IC kernel of the TSFForce, on the Context's platform (a handle to keep: the kernel
     *                      may outlive the TSFForce's ForceImpl during Context teardown)
     * @param numReplicas   the number of replicas
     */
    virtual void initializeReplicas(const OpenMM::System& system, const InternalCoordinates& definition,
            const OpenMM::Kernel& icKernel, int numReplicas) = 0;
    /** Copy the Context's positions into one replica, or into every replica if replica is -1. */
    virtual void storeContextPositions(OpenMM::ContextImpl& context, int replica) = 0;
    /** Put one replica's positions into the Context (virtual sites included). */
    virtual void loadReplicaIntoContext(OpenMM::ContextImpl& context, int replica) = 0;
    /**
     * The IC transform of every replica's molecule: coordinates [R, n] and log|det d(frame, IC)/dx| [R]. It also
     * remembers each replica's frame for placeTrials().
     */
    virtual void computeReplicaCoordinates(std::vector<double>& coordinates, std::vector<double>& logDetToIc) = 0;
    /**
     * Build one trial configuration per replica from proposed coordinates [R, n], in the frame of that
     * replica's current configuration.
     *
     * @param logDetFromIc  on exit, [R]: log|det dx/d(frame, IC)| of each trial
     * @param outOfRange    on exit, [R]: 1 where a trial's coordinates are out of range
     */
    virtual void placeTrials(const std::vector<double>& coordinates, std::vector<double>& logDetFromIc, std::vector<int>& outOfRange) = 0;
    /** Put a replica with its molecule replaced by its trial into the Context (virtual sites included). */
    virtual void loadTrialIntoContext(OpenMM::ContextImpl& context, int replica) = 0;
    /** Make a replica's trial its configuration. */
    virtual void acceptTrial(int replica) = 0;
    /** Exchange the configurations of two replicas. */
    virtual void swapReplicas(int replica1, int replica2) = 0;
    /**
     * The flow stage of a step (LatentMoveBatch): from the IC batch that computeReplicaCoordinates() produced to
     * the proposed batch that placeTrials() consumes. A platform whose flow runs on its device leaves the batches on
     * the device (coordinates and newCoordinates unused).
     */
    virtual void proposeLatentMoves(const TSFModel& model, LatentMoveBatch& batch, const std::vector<double>& coordinates,
            std::vector<double>& newCoordinates) = 0;
    /** Copy every particle's position (nm) of one replica to the host. */
    virtual void downloadReplica(int replica, std::vector<OpenMM::Vec3>& positions) = 0;
    /** Set every particle's position (nm) of one replica from the host. */
    virtual void uploadReplica(int replica, const std::vector<OpenMM::Vec3>& positions) = 0;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_REPLICA_STORE_H_*/
