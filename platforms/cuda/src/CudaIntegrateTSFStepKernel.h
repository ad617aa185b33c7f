// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_CUDA_INTEGRATE_STEP_KERNEL_H_
#define OPENMM_TSF_CUDA_INTEGRATE_STEP_KERNEL_H_

#include "CommonIntegrateTSFStepKernel.h"
#include "openmmtsf/internal/TSFModel.h"
#include <cuda.h>
#include <memory>

namespace OpenMM {
class CudaContext;
}

namespace TSFPlugin {

/**
 * The TSF integrator on CUDA, with the flow on the GPU. The model is copied to the Context's device once, at
 * the first step; each step the [R, n] internal coordinates go from OpenMM's IC array to the model's input
 * buffer and the proposal back, device to device, and only the draws (host to device) and one number per replica
 * (device to host) cross.
 *
 * libtorch works in the device's primary context, OpenMM in a context of its own (as in openmm-torch): the
 * kernel makes the primary context current around every libtorch call, copies between the two contexts with
 * cuMemcpyPeer, and synchronises OpenMM's context before and after, so OpenMM's kernels and libtorch's are ordered.
 */
class CudaIntegrateTSFStepKernel : public CommonIntegrateTSFStepKernel {
public:
    /** @param cc  the Context's ComputeContext, which must be a CudaContext */
    CudaIntegrateTSFStepKernel(std::string name, const OpenMM::Platform& platform, OpenMM::ComputeContext& cc);
    ~CudaIntegrateTSFStepKernel();
protected:
    void proposeLatentMoves(const TSFModel& model, LatentMoveBatch& batch, const std::vector<double>& coordinates,
            std::vector<double>& newCoordinates) override;
private:
    OpenMM::CudaContext& cu;
    /** The device's primary context (retained on first use), in which libtorch runs. */
    CUcontext primaryContext;
    std::unique_ptr<TSFModel::Stage> deviceStage;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_CUDA_INTEGRATE_STEP_KERNEL_H_*/
