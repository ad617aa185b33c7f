// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_COMMON_INTEGRATE_STEP_KERNEL_H_
#define OPENMM_TSF_COMMON_INTEGRATE_STEP_KERNEL_H_

#include "CommonArrays.h"
#include "openmmtsf/internal/IntegrateTSFStepKernelBase.h"
#include "openmm/common/ComputeKernel.h"

namespace TSFPlugin {

class CommonCalcInternalCoordinatesKernel;

/**
 * The data path of TSF Monte Carlo on a GPU-style platform (CUDA, OpenCL). Replica configurations live in one
 * device array, in the System's frame; the molecule of every replica is gathered, transformed and rebuilt on the device, trial
 * configurations are written straight into the platform's position array for their energies, and accepted
 * trials are copied on the device. Exchanges swap replica slots, not data. Per step only the flow's inputs and
 * outputs ([R, n] coordinates; not even those where a subclass runs the flow on the device) and a few numbers per
 * replica cross to the host.
 */
class CommonIntegrateTSFStepKernel : public IntegrateTSFStepKernelBase {
public:
    CommonIntegrateTSFStepKernel(std::string name, const OpenMM::Platform& platform, OpenMM::ComputeContext& cc) :
            IntegrateTSFStepKernelBase(name, platform), cc(cc), mixedArrays(cc) {
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
    /** The IC kernel of the TSFForce, whose device coordinates are the flow's input and output. */
    CommonCalcInternalCoordinatesKernel& getInternalCoordinatesKernel() {
        return *internalCoordinates;
    }
    /**
     * Whether the flow stage runs on the device (set by a subclass that overrides proposeLatentMoves()): then the
     * IC batches stay in the IC kernel's device coordinates, and only log-determinants and flags cross to the host.
     */
    bool flowOnDevice = false;
private:
    /**
     * Bring the device copy of OpenMM's periodic cell offsets (per posq entry) and the box vectors up to date:
     * OpenMM changes them when it reorders or wraps atoms, between our calls.
     */
    void refreshPeriodicFrame();
    /** Put a replica slot into the Context, with the molecule of trial trialIndex if that is >= 0. */
    void loadIntoContext(OpenMM::ContextImpl& context, int replica, int trialIndex);
    OpenMM::ComputeContext& cc;
    MixedArrays mixedArrays;
    /** The TSFForce's IC kernel: the handle keeps it alive, the pointer is its type here. */
    OpenMM::Kernel internalCoordinatesKernel;
    CommonCalcInternalCoordinatesKernel* internalCoordinates;
    int numParticles, numAtoms, numReplicas;
    /** The index of the first box-vector argument of the store and load kernels. */
    int boxArgument;
    /** The slot of replicaPositions that holds each replica; exchanges permute it. */
    std::vector<int> slotOfReplica;
    bool slotsChanged;
    /** [R, N] mixed4 in nm, by particle index. */
    OpenMM::ComputeArray replicaPositions;
    OpenMM::ComputeArray slots, particles, localIndex, cellOffsets;
    std::vector<OpenMM::mm_int4> hostCellOffsets;
    OpenMM::ComputeKernel storeKernel, loadKernel, gatherKernel, acceptKernel;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_COMMON_INTEGRATE_STEP_KERNEL_H_*/
