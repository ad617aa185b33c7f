// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_REFERENCE_INTEGRATE_STEP_KERNEL_H_
#define OPENMM_TSF_REFERENCE_INTEGRATE_STEP_KERNEL_H_

#include "openmmtsf/internal/IntegrateTSFStepKernelBase.h"

namespace TSFPlugin {

/**
 * The data path of TSF Monte Carlo on the host, for every ReferencePlatform: replica configurations live in
 * host memory, and the IC kernel transforms the whole batch of replicas at once.
 */
class ReferenceIntegrateTSFStepKernel : public IntegrateTSFStepKernelBase {
public:
    ReferenceIntegrateTSFStepKernel(std::string name, const OpenMM::Platform& platform) : IntegrateTSFStepKernelBase(name, platform) {
    }
protected:
    void initializeReplicas(const OpenMM::System& system, const InternalCoordinates& definition,
            const OpenMM::Kernel& icKernel, int numReplicas) override;
    void storeContextPositions(OpenMM::ContextImpl& context, int replica) override;
    void loadReplicaIntoContext(OpenMM::ContextImpl& context, int replica) override;
    void computeReplicaCoordinates(std::vector<double>& coordinates, std::vector<double>& logDetToIc) override;
    void placeTrials(const std::vector<double>& coordinates, std::vector<double>& logDetFromIc, std::vector<int>& outOfRange) override;
    void loadTrialIntoContext(OpenMM::ContextImpl& context, int replica) override;
    void acceptTrial(int replica) override;
    void swapReplicas(int replica1, int replica2) override;
    void downloadReplica(int replica, std::vector<OpenMM::Vec3>& positions) override;
    void uploadReplica(int replica, const std::vector<OpenMM::Vec3>& positions) override;
private:
    /** The TSFForce's IC kernel: the handle keeps it alive, the pointer is its type. */
    OpenMM::Kernel internalCoordinatesKernel;
    CalcInternalCoordinatesKernel* internalCoordinates;
    /** The molecule's particles in increasing index, and the local indices of its three root atoms. */
    std::vector<int> particles, rootLocal;
    std::vector<std::vector<OpenMM::Vec3> > replicaPositions;
    /** The trial of one replica, assembled for its energy and kept in case it is accepted. */
    std::vector<OpenMM::Vec3> trial;
    /** [R, M, 3] batches in nm, and [R, 3, 3] frames. */
    std::vector<double> moleculePositions, frames, trialMoleculePositions;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_REFERENCE_INTEGRATE_STEP_KERNEL_H_*/
