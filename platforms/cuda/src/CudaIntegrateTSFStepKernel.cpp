// SPDX-License-Identifier: MIT
#include "CudaIntegrateTSFStepKernel.h"
#include "CommonCalcInternalCoordinatesKernel.h"
#include "CudaContext.h"
#include "openmm/OpenMMException.h"
#include "openmm/common/ContextSelector.h"

using namespace TSFPlugin;
using OpenMM::OpenMMException;
using std::vector;

namespace {

void check(CUresult result, const char* what) {
    if (result != CUDA_SUCCESS) {
        const char* name = nullptr;
        cuGetErrorName(result, &name);
        throw OpenMMException(std::string("TSFIntegrator on CUDA: ") + what + " failed (" + (name ? name : "unknown error") + ")");
    }
}

/** Makes a CUDA context current for its lifetime (libtorch's primary context around a libtorch call). */
class ScopedCurrentContext {
public:
    explicit ScopedCurrentContext(CUcontext context) {
        check(cuCtxPushCurrent(context), "cuCtxPushCurrent");
    }
    ~ScopedCurrentContext() {
        CUcontext popped;
        cuCtxPopCurrent(&popped);
    }
};

} // namespace

CudaIntegrateTSFStepKernel::CudaIntegrateTSFStepKernel(std::string name, const OpenMM::Platform& platform, OpenMM::ComputeContext& cc) :
        CommonIntegrateTSFStepKernel(name, platform, cc), cu(dynamic_cast<OpenMM::CudaContext&>(cc)), primaryContext(nullptr) {
    flowOnDevice = true;
}

CudaIntegrateTSFStepKernel::~CudaIntegrateTSFStepKernel() {
    if (primaryContext != nullptr) {
        {
            ScopedCurrentContext current(primaryContext);
            deviceStage.reset();
        }
        cuDevicePrimaryCtxRelease(cu.getDevice());
    }
}

void CudaIntegrateTSFStepKernel::proposeLatentMoves(const TSFModel& model, LatentMoveBatch& batch, const vector<double>&, vector<double>&) {
    OpenMM::ComputeArray& coordinates = getInternalCoordinatesKernel().getCoordinates();
    const size_t elementSize = coordinates.getElementSize();
    const size_t bytes = (size_t) batch.numReplicas * model.getNumDimensions() * elementSize;
    OpenMM::ContextSelector selector(cu);
    check(cuCtxSynchronize(), "waiting for OpenMM's kernels");
    if (primaryContext == nullptr)
        check(cuDevicePrimaryCtxRetain(&primaryContext, cu.getDevice()), "cuDevicePrimaryCtxRetain");
    if (!deviceStage || deviceStage->isSinglePrecisionFlow() != batch.singlePrecisionFlow) {
        ScopedCurrentContext current(primaryContext);
        deviceStage.reset();
        deviceStage = model.copyToDevice(cu.getDeviceIndex(), batch.numReplicas, elementSize == sizeof(float),
                batch.singlePrecisionFlow);
    }
    const CUdeviceptr icArray = cu.unwrap(coordinates).getDevicePointer();
    check(cuMemcpyPeer(deviceStage->getInputBuffer(), primaryContext, icArray, cu.getContext(), bytes), "copying the ICs to the flow");
    {
        ScopedCurrentContext current(primaryContext);
        deviceStage->proposeOnDevice(batch);
    }
    check(cuMemcpyPeer(icArray, cu.getContext(), deviceStage->getOutputBuffer(), primaryContext, bytes), "copying the proposal from the flow");
    check(cuCtxSynchronize(), "copying the proposal from the flow");
}
