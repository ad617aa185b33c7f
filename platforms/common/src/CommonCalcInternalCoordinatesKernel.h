// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_COMMON_CALC_INTERNAL_COORDINATES_KERNEL_H_
#define OPENMM_TSF_COMMON_CALC_INTERNAL_COORDINATES_KERNEL_H_

#include "CommonArrays.h"
#include "ReferenceTSFKernels.h"
#include "openmmtsf/TSFKernels.h"
#include "openmmtsf/internal/ZMatrixRows.h"
#include "openmm/common/ComputeKernel.h"

namespace TSFPlugin {

/**
 * The internal-coordinate transform on a GPU-style platform (CUDA, OpenCL), in `mixed` precision. Forward and
 * inverse run as device kernels over a batch held in device arrays, which the TSF integrator fills and reads
 * on the device; the host-array methods of CalcInternalCoordinatesKernel copy through them. The vector-Jacobian
 * product, needed only for training, is computed on the host in double precision.
 */
class CommonCalcInternalCoordinatesKernel : public CalcInternalCoordinatesKernel {
public:
    CommonCalcInternalCoordinatesKernel(std::string name, const OpenMM::Platform& platform, OpenMM::ComputeContext& cc);
    void initialize(const InternalCoordinates& definition) override;
    void forward(int numConfigurations, const std::vector<double>& positions,
            std::vector<double>& coordinates, std::vector<double>& logDetJacobian) override;
    void inverse(int numConfigurations, const std::vector<double>& coordinates, const std::vector<double>& frames,
            std::vector<double>& positions, std::vector<double>& logDetJacobian, std::vector<int>& outOfRange) override;
    void inverseVjp(int numConfigurations, const std::vector<double>& coordinates, const std::vector<double>& frames,
            const std::vector<double>& positionsGradient, const std::vector<double>& logDetGradient,
            std::vector<double>& coordinatesGradient) override;
    /** Make the device batch hold at least numConfigurations configurations. */
    void reserve(int numConfigurations);
    /** The device batch of positions, [B, M] mixed4 in nm: the input of computeCoordinates(), the output of placeAtoms(). */
    OpenMM::ComputeArray& getPositions() {
        return positions;
    }
    /** The device frames, [B, 3] mixed4 in nm (or [3] when shared by the batch): the input of placeAtoms(). */
    OpenMM::ComputeArray& getFrames() {
        return frames;
    }
    /** The device internal coordinates, [B, n] mixed: the output of computeCoordinates(), the input of placeAtoms(). */
    OpenMM::ComputeArray& getCoordinates() {
        return coordinates;
    }
    /**
     * Cartesian -> IC of the device batch; copies the log-determinants [B] and, unless coordinates is null, the
     * coordinates [B, n] to the host.
     */
    void computeCoordinates(int numConfigurations, std::vector<double>* coordinates, std::vector<double>& logDetJacobian);
    /**
     * IC -> Cartesian into the device batch, in the device frames, from coordinates [B, n] (or, if that is null,
     * from the device coordinates as they are); copies the log-determinants and out-of-range flags [B] to the host.
     */
    void placeAtoms(int numConfigurations, const std::vector<double>* coordinates, bool framePerConfiguration,
            std::vector<double>& logDetJacobian, std::vector<int>& outOfRange);
private:
    /** Throws, as the Reference kernel does, if a frame's root atoms are coincident or collinear. */
    static void checkFrames(const std::vector<double>& frames);
    OpenMM::ComputeContext& cc;
    MixedArrays mixedArrays;
    ReferenceCalcInternalCoordinatesKernel hostKernel;
    /** Z-matrix rows in generation order. */
    std::vector<ZMatrixRow> rows;
    /** The Z-matrix row (placement order) of each row in generation order. */
    std::vector<int> originalRows;
    int numAtoms, numCoordinates, capacity, threadBlockSize;
    OpenMM::ComputeArray rowAtoms, rowIndices, fixedBonds, generationStart, placementOrder;
    OpenMM::ComputeArray positions, frames, coordinates, logDetTerms, rowStatus, logDet, status, outOfRangeFlags;
    OpenMM::ComputeKernel forwardKernel, inverseKernel;
    std::vector<double> hostValues;
    std::vector<int> hostStatus;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_COMMON_CALC_INTERNAL_COORDINATES_KERNEL_H_*/
