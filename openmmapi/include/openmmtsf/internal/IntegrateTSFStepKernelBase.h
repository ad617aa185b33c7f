// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_INTEGRATE_STEP_KERNEL_BASE_H_
#define OPENMM_TSF_INTEGRATE_STEP_KERNEL_BASE_H_

#include "openmmtsf/TSFKernels.h"
#include "openmmtsf/internal/LatentMoveBatch.h"
#include "openmmtsf/internal/ReplicaExchange.h"
#include "openmmtsf/internal/TSFRandom.h"
#include "openmmtsf/internal/TSFModel.h"
#include "openmmtsf/internal/TSFStatistics.h"
#include "openmm/Kernel.h"
#include <memory>

namespace TSFPlugin {

/**
 * The platform-neutral half of IntegrateTSFStepKernel: the random stream, the auxiliary momenta and latent
 * proposals, the flow calls, the Metropolis-Hastings decisions, step-size adaptation, exchanges, statistics
 * and checkpoints. Every random number is drawn here, in the same order on every platform, so platforms agree
 * on a fixed-seed trajectory to within their precision.
 *
 * A platform supplies the data path: where replica configurations live, the IC transform of every replica,
 * and how a replica or a trial configuration is put into the Context for its energy. Those hooks are called
 * once per replica per step (never per atom).
 */
class IntegrateTSFStepKernelBase : public IntegrateTSFStepKernel {
public:
    IntegrateTSFStepKernelBase(std::string name, const OpenMM::Platform& platform) : IntegrateTSFStepKernel(name, platform) {
    }
    void initialize(const OpenMM::System& system, const TSFIntegrator& integrator, TSFForceImpl& force) override;
    void execute(OpenMM::ContextImpl& context, TSFIntegrator& integrator, int steps) override;
    bool jump(OpenMM::ContextImpl& context, TSFIntegrator& integrator) override;
    void getReplicaPositions(OpenMM::ContextImpl& context, int replica, std::vector<OpenMM::Vec3>& positions) override;
    void getReplicaEnergies(OpenMM::ContextImpl& context, std::vector<double>& energies) override;
    void setReplicaPositions(OpenMM::ContextImpl& context, int replica, const std::vector<OpenMM::Vec3>& positions) override;
    void contextPositionsChanged() override;
    void energiesChanged() override;
    std::vector<int> getWalkers() const override;
    const TSFStatistics& getStatistics() const override;
    void resetStatistics() override;
    void createCheckpoint(OpenMM::ContextImpl& context, const TSFIntegrator& integrator, std::ostream& stream) override;
    void loadCheckpoint(OpenMM::ContextImpl& context, TSFIntegrator& integrator, std::istream& stream) override;
protected:
    /**
     * Prepare the data path for a number of replicas of a molecule.
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
     * the proposed batch that placeTrials() consumes. The default runs the model on the host stage. A platform whose
     * flow runs on its device overrides it, and its computeReplicaCoordinates() and placeTrials() then leave the
     * batches on the device (coordinates and newCoordinates unused).
     */
    virtual void proposeLatentMoves(const TSFModel& model, LatentMoveBatch& batch, const std::vector<double>& coordinates,
            std::vector<double>& newCoordinates);
    /** Copy every particle's position (nm) of one replica to the host. */
    virtual void downloadReplica(int replica, std::vector<OpenMM::Vec3>& positions) = 0;
    /** Set every particle's position (nm) of one replica from the host. */
    virtual void uploadReplica(int replica, const std::vector<OpenMM::Vec3>& positions) = 0;
private:
    class Operation;
    /**
     * What is known of a replica's current state in latent space, from its last move: enough for a prior move's
     * acceptance without the inverse flow.
     */
    struct LatentState {
        /** Whether the numbers describe the replica's current configuration and momenta. */
        bool known = false;
        /** log|det J_D^-1| at the current state, |p|^2 and |v|^2 of its momenta and latent point. */
        double logDetInverse = 0.0, momentumSquared = 0.0, latentSquared = 0.0;
        /**
         * Set from a replica's move: the proposal's numbers if it was accepted, else the current state's (unknown if
         * they are not finite).
         */
        void update(const LatentMoveBatch& move, int replica, bool accepted);
    };
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
    void moveReplicas(OpenMM::ContextImpl& context, TSFIntegrator& integrator);
    /** Point the move at the next proposal of the bank, and ask for a refill (with its draws) when it is used up. */
    void takeFromBank(const TSFIntegrator& integrator);
    /** Forget what is known of every replica's latent point and every banked proposal, for a new temperature ladder. */
    void temperaturesChanged(const std::vector<double>& temperatures);
    /**
     * Run the flow with other arithmetic (TSFIntegrator::FlowPrecision) from this step on: the bank is drawn again and
     * every latent point recomputed with it.
     */
    void flowPrecisionChanged(bool singlePrecisionFlow);
    /** Exchange the configurations of two replicas, and what is known of their latent points. */
    void exchangeReplicas(int replica1, int replica2);
    /**
     * tau, the variance of the latent prior and of the auxiliary momenta at a temperature (K): T / T_train for a
     * temperature-steerable flow, 1 for a temperature-conditioned one.
     */
    double latentVariance(double temperature) const;
    /** Draw the Context's velocities from the Maxwell-Boltzmann distribution at a temperature (K). */
    void drawVelocities(OpenMM::ContextImpl& context, double temperature);
    std::shared_ptr<const TSFModel> model;
    /**
     * The flow stage on the host (the default proposeLatentMoves()), with its bank of prior proposals; made at the first
     * move, and again when the flow's precision changes.
     */
    std::unique_ptr<TSFModel::Stage> hostStage;
    /** A hash of the model's bytes, written into checkpoints. */
    unsigned long long modelFingerprint;
    std::vector<double> masses;
    /** Whether the System has virtual sites (an accepted trial is then stored from the Context, sites included). */
    bool hasVirtualSites;
    int numReplicas, numDimensions, numAuxiliary;
    double trainingTemperature;
    bool replicasReady, reloadReplica0, energiesStale;
    /** Whether a kernel operation is under way (its own Context position changes do not make a new replica 0). */
    bool internalLoads = false;
    /** The integration force groups and the periodic box vectors (nm) that the energies were computed with. */
    int energyGroups;
    OpenMM::Vec3 energyBox[3];
    long long stepIndex;
    std::vector<double> energies;
    ReplicaExchange exchange;
    /** The Monte Carlo stream, and the stream of the velocities the Context gets (so chunking a run changes nothing). */
    TSFRandom random, velocityRandom;
    /** The stream of the bank's draws, and its state before the draws of the current bank (for checkpoints). */
    TSFRandom bankRandom, bankDrawnFrom;
    /** K of the current bank, the next proposal to use (bankSize: used up), and the ladder it was drawn for. */
    int bankSize = 0, bankCursor = 0;
    std::vector<double> bankTemperatures;
    /** Where a bank restored from a checkpoint resumes once it is drawn again (-1: none to restore). */
    int restoredBankCursor = -1;
    /** What is known of each replica's latent point. */
    std::vector<LatentState> latentStates;
    /** Replica 0 before and after new Context positions (host scratch). */
    std::vector<OpenMM::Vec3> replica0Before, replica0After;
    TSFStatistics statistics;
    // Per-step batches, kept between steps to avoid reallocation.
    LatentMoveBatch latentMoves;
    std::vector<double> coordinates, logDetToIc, newCoordinates, logDetFromIc;
    std::vector<int> outOfRange, moveTypes;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_INTEGRATE_STEP_KERNEL_BASE_H_*/
