// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_INTEGRATE_STEP_KERNEL_BASE_H_
#define OPENMM_TSF_INTEGRATE_STEP_KERNEL_BASE_H_

#include "openmmtsf/TSFKernels.h"
#include "openmmtsf/internal/LatentSampler.h"
#include "openmmtsf/internal/ReplicaStore.h"
#include "openmmtsf/internal/TSFModel.h"
#include <memory>

namespace TSFPlugin {

/**
 * The platform-neutral half of IntegrateTSFStepKernel: it hands every operation to a host-side LatentSampler, which
 * holds the algorithm, and leaves the data path (ReplicaStore) to a platform. Its default flow stage runs the model
 * on the host.
 */
class IntegrateTSFStepKernelBase : public IntegrateTSFStepKernel, public ReplicaStore {
public:
    IntegrateTSFStepKernelBase(std::string name, const OpenMM::Platform& platform) :
            IntegrateTSFStepKernel(name, platform), sampler(*this) {
    }
    void initialize(const OpenMM::System& system, TSFForceImpl& force, const std::vector<double>& latentStepSizes,
            int randomNumberSeed) override;
    void execute(OpenMM::ContextImpl& context, const TSFIntegrator& integrator, int steps) override;
    bool jump(OpenMM::ContextImpl& context, const LatentMoveSettings& settings) override;
    void getReplicaPositions(OpenMM::ContextImpl& context, int replica, std::vector<OpenMM::Vec3>& positions) override;
    void getReplicaEnergies(OpenMM::ContextImpl& context, std::vector<double>& energies) override;
    void setReplicaPositions(OpenMM::ContextImpl& context, int replica, const std::vector<OpenMM::Vec3>& positions) override;
    void contextPositionsChanged() override;
    void energiesChanged() override;
    std::vector<int> getWalkers() const override;
    const TSFStatistics& getStatistics() const override;
    void resetStatistics() override;
    double getLatentStepSize(int replica) const override;
    void setLatentStepSize(int replica, double sigma) override;
    void createCheckpoint(OpenMM::ContextImpl& context, const TSFIntegrator& integrator, std::ostream& stream) override;
    int loadCheckpoint(OpenMM::ContextImpl& context, const TSFIntegrator& integrator, std::istream& stream) override;
    /** The flow stage on the host, with its bank of prior proposals (see ReplicaStore). */
    void proposeLatentMoves(const TSFModel& model, LatentMoveBatch& batch, const std::vector<double>& coordinates,
            std::vector<double>& newCoordinates) override;
private:
    /** The settings of a step, as the integrator holds them now. */
    LatentMoveSettings settingsOf(const TSFIntegrator& integrator) const;
    LatentSampler sampler;
    /** The host flow stage; made at the first move, and again when the flow's precision changes. */
    std::unique_ptr<TSFModel::Stage> hostStage;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_INTEGRATE_STEP_KERNEL_BASE_H_*/
