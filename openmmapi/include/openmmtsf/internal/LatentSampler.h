// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_LATENT_SAMPLER_H_
#define OPENMM_TSF_LATENT_SAMPLER_H_

#include "openmmtsf/internal/LatentMoveBatch.h"
#include "openmmtsf/internal/LatentMoveSettings.h"
#include "openmmtsf/internal/LatentStateCache.h"
#include "openmmtsf/internal/ProposalBank.h"
#include "openmmtsf/internal/ReplicaExchange.h"
#include "openmmtsf/internal/ReplicaStore.h"
#include "openmmtsf/internal/StepSizeAdapter.h"
#include "openmmtsf/internal/TSFRandom.h"
#include "openmmtsf/internal/TSFStatistics.h"
#include <exception>
#include <iosfwd>
#include <memory>
#include <vector>

namespace TSFPlugin {

class TSFForceImpl;

/**
 * The platform-neutral Monte Carlo algorithm of TSFIntegrator and of flow jumps during MD: latent moves of every
 * replica with their Metropolis-Hastings decisions, and exchanges. Every random number is drawn here, in the same
 * order on every platform, so platforms agree on a fixed-seed trajectory to within their precision. A ReplicaStore
 * supplies the data path.
 *
 * Its parts: a ProposalBank, a LatentStateCache, a StepSizeAdapter, ReplicaExchange, and checkpoint I/O
 * (LatentSamplerCheckpoint.cpp). The Context always holds replica 0 when control returns to the caller.
 */
class LatentSampler {
public:
    /** A sampler whose replicas live in a store (which must outlive it). */
    explicit LatentSampler(ReplicaStore& store);
    /**
     * Prepare for a System and the TSFForce whose model moves it.
     *
     * @param system            the System
     * @param force             the TSFForce's implementation in the same Context (model and IC kernel)
     * @param latentStepSizes   the initial random-walk step size of each replica (their number is the replica count)
     * @param randomNumberSeed  the seed of every random stream
     */
    void initialize(const OpenMM::System& system, TSFForceImpl& force, const std::vector<double>& latentStepSizes,
            int randomNumberSeed);
    /** The number of replicas. */
    int getNumReplicas() const;
    /** Take a number of steps: moves of every replica, and exchanges at the settings' interval. */
    void execute(OpenMM::ContextImpl& context, const LatentMoveSettings& settings, int steps);
    /**
     * One latent move of the Context's current configuration (replica 0), and, if it is accepted, new velocities from
     * Maxwell-Boltzmann at the settings' first temperature.
     *
     * @return whether the move was accepted
     */
    bool jump(OpenMM::ContextImpl& context, const LatentMoveSettings& settings);
    /** Get the positions (nm) of every particle of one replica. */
    void getReplicaPositions(OpenMM::ContextImpl& context, int replica, std::vector<OpenMM::Vec3>& positions);
    /** Get every replica's potential energy (kJ/mol) of the integration force groups, recomputing stale ones. */
    void getReplicaEnergies(OpenMM::ContextImpl& context, std::vector<double>& energies);
    /** Set the positions (nm) of every particle of one replica. */
    void setReplicaPositions(OpenMM::ContextImpl& context, int replica, const std::vector<OpenMM::Vec3>& positions);
    /** Note that the user set the Context's positions, which become replica 0 at the next access. */
    void contextPositionsChanged();
    /** Note that every replica's energy may have changed: they are recomputed at the next access. */
    void energiesChanged();
    /** Get the walker at each replica. */
    const std::vector<int>& getWalkers() const;
    /** Get the counts. */
    const TSFStatistics& getStatistics() const;
    /** Set every count to zero. */
    void resetStatistics();
    /** Get a replica's random-walk step size, as adapted so far. */
    double getLatentStepSize(int replica) const;
    /** Set a replica's random-walk step size. */
    void setLatentStepSize(int replica, double sigma);
    /** Write every replica's state, the random streams, the statistics and the adapted step sizes. */
    void createCheckpoint(OpenMM::ContextImpl& context, const LatentMoveSettings& settings, std::ostream& stream);
    /**
     * Restore what createCheckpoint() wrote. Everything is read and checked before anything changes.
     *
     * @return K, the proposals per flow call of the checkpoint's bank
     * @throws OpenMMException if the checkpoint is corrupt, truncated, of another version, or written for another model,
     *                         replica count, particle count or ladder
     */
    int loadCheckpoint(OpenMM::ContextImpl& context, const LatentMoveSettings& settings, std::istream& stream);
private:
    class Operation;
    /**
     * Make sure every replica has a configuration and an up-to-date energy: new Context positions become replica 0,
     * and every energy is recomputed after a change of parameters, of the System, of the integration force groups
     * or of the periodic box.
     */
    void synchronize(OpenMM::ContextImpl& context, int groups);
    /** Recompute every replica's energy with the Context as it is now, and remember what they were computed with. */
    void recomputeEnergies(OpenMM::ContextImpl& context, int groups);
    /** Remember that the energies are up to date for the Context's box and these integration force groups. */
    void energiesComputedWith(OpenMM::ContextImpl& context, int groups);
    /** One latent move of every replica. */
    void moveReplicas(OpenMM::ContextImpl& context, const LatentMoveSettings& settings);
    /** Draw each replica's move type and the noise of its move. @return whether any replica makes a prior move */
    bool drawMoves(const LatentMoveSettings& settings);
    /** The Metropolis-Hastings decision of one replica's move (its energy is computed here), and its bookkeeping. */
    void decide(OpenMM::ContextImpl& context, const LatentMoveSettings& settings, int replica);
    /** Exchange the configurations of two replicas, and what is known of their latent points. */
    void exchangeReplicas(int replica1, int replica2);
    /**
     * tau, the variance of the latent prior and of the auxiliary momenta at a temperature (K): T / T_train for a
     * temperature-steerable flow, 1 for a temperature-conditioned one.
     */
    double latentVariance(double temperature) const;
    /** Draw the Context's velocities from the Maxwell-Boltzmann distribution at a temperature (K). */
    void drawVelocities(OpenMM::ContextImpl& context, double temperature);
    ReplicaStore& store;
    std::shared_ptr<const TSFModel> model;
    /** A hash of the model's bytes, written into checkpoints. */
    unsigned long long modelFingerprint = 0;
    std::vector<double> masses;
    /** Whether the System has virtual sites (an accepted trial is then stored from the Context, sites included). */
    bool hasVirtualSites = false;
    int numReplicas = 0, numDimensions = 0, numAuxiliary = 0;
    double trainingTemperature = 0.0;
    bool replicasReady = false, reloadReplica0 = false, energiesStale = false;
    /** Whether an operation is under way (its own Context position changes do not make a new replica 0). */
    bool internalLoads = false;
    /** The integration force groups and the periodic box vectors (nm) that the energies were computed with. */
    int energyGroups = 0;
    OpenMM::Vec3 energyBox[3];
    long long stepIndex = 0;
    /** Every replica's potential energy (kJ/mol). */
    std::vector<double> energies;
    ReplicaExchange exchange;
    /** The Monte Carlo stream, and the stream of the velocities the Context gets (so chunking a run changes nothing). */
    TSFRandom random, velocityRandom;
    ProposalBank bank;
    LatentStateCache latentStates;
    StepSizeAdapter stepSizes;
    /** Replica 0 before and after new Context positions (host scratch). */
    std::vector<OpenMM::Vec3> replica0Before, replica0After;
    TSFStatistics statistics;
    // Per-step batches, kept between steps to avoid reallocation.
    LatentMoveBatch latentMoves;
    std::vector<double> coordinates, logDetToIc, newCoordinates, logDetFromIc;
    std::vector<int> outOfRange, moveTypes;
};

/**
 * The scope of one sampler operation on the Context: the position changes it makes are its own (not a user's new
 * replica 0), and if it throws, the Context gets replica 0 back, so that no trial configuration and no other
 * replica can be adopted as replica 0.
 */
class LatentSampler::Operation {
public:
    Operation(LatentSampler& sampler, OpenMM::ContextImpl& context) :
            sampler(sampler), context(context), exceptionsAtStart(std::uncaught_exceptions()) {
        sampler.internalLoads = true;
    }
    ~Operation() {
        if (std::uncaught_exceptions() > exceptionsAtStart && sampler.replicasReady) {
            try {
                sampler.store.loadReplicaIntoContext(context, 0);
            }
            catch (...) {
                // Already unwinding from the first error, which is the one to report.
            }
        }
        sampler.internalLoads = false;
    }
private:
    LatentSampler& sampler;
    OpenMM::ContextImpl& context;
    const int exceptionsAtStart;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_LATENT_SAMPLER_H_*/
