#ifndef OPENMM_TSF_REFERENCE_INTEGRATE_STEP_KERNEL_H_
#define OPENMM_TSF_REFERENCE_INTEGRATE_STEP_KERNEL_H_

#include "openmmtsf/TSFKernels.h"
#include "openmmtsf/internal/ReplicaExchange.h"
#include "openmmtsf/internal/TSFRandom.h"
#include "openmmtsf/internal/TSFStatistics.h"

namespace TSFPlugin {

class TSFModel;

/**
 * TSF Monte Carlo and replica exchange on the host, for every ReferencePlatform. Replica configurations live
 * in host memory; the flow and the IC kernel are called once per step for the whole batch of replicas, and the
 * Context evaluates one energy per replica.
 */
class ReferenceIntegrateTSFStepKernel : public IntegrateTSFStepKernel {
public:
    ReferenceIntegrateTSFStepKernel(std::string name, const OpenMM::Platform& platform) : IntegrateTSFStepKernel(name, platform) {
    }
    void initialize(const OpenMM::System& system, const TSFIntegrator& integrator, TSFForceImpl& force) override;
    void execute(OpenMM::ContextImpl& context, TSFIntegrator& integrator, int steps) override;
    bool jump(OpenMM::ContextImpl& context, TSFIntegrator& integrator) override;
    void getReplicaPositions(OpenMM::ContextImpl& context, int replica, std::vector<OpenMM::Vec3>& positions) override;
    void setReplicaPositions(OpenMM::ContextImpl& context, int replica, const std::vector<OpenMM::Vec3>& positions) override;
    void contextPositionsChanged() override;
    std::vector<int> getWalkers() const override;
    const TSFStatistics& getStatistics() const override;
    void resetStatistics() override;
    void createCheckpoint(OpenMM::ContextImpl& context, const TSFIntegrator& integrator, std::ostream& stream) override;
    void loadCheckpoint(OpenMM::ContextImpl& context, TSFIntegrator& integrator, std::istream& stream) override;
private:
    /** Make sure every replica has a configuration and an energy, taking new Context positions as replica 0. */
    void synchronize(OpenMM::ContextImpl& context, int groups);
    double energyOf(OpenMM::ContextImpl& context, const std::vector<OpenMM::Vec3>& positions, int groups);
    /** One latent move of every replica. */
    void moveReplicas(OpenMM::ContextImpl& context, TSFIntegrator& integrator);
    /** Draw the Context's velocities from the Maxwell-Boltzmann distribution at temperatures[0]. */
    void drawVelocities(OpenMM::ContextImpl& context, double temperature);
    const TSFModel* model;
    CalcInternalCoordinatesKernel* internalCoordinates;
    std::vector<int> particles, rootLocal;
    std::vector<double> masses;
    int numReplicas, numDimensions, numAuxiliary;
    double trainingTemperature;
    bool replicasReady, reloadReplica0;
    long long stepIndex;
    std::vector<std::vector<OpenMM::Vec3> > replicaPositions;
    std::vector<double> energies;
    std::vector<OpenMM::Vec3> trial;
    ReplicaExchange exchange;
    TSFRandom random;
    TSFStatistics statistics;
    // Per-step batches, kept between steps to avoid reallocation.
    std::vector<double> moleculePositions, frames, coordinates, logDetToIc, momenta, latentZ, latentQ, logDetInverse;
    std::vector<double> newLatentZ, newLatentQ, newCoordinates, newMomenta, logDetForward, newPositions, logDetFromIc;
    std::vector<int> outOfRange, moveTypes;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_REFERENCE_INTEGRATE_STEP_KERNEL_H_*/
