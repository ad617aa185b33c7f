// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_REFERENCE_KERNELS_H_
#define OPENMM_TSF_REFERENCE_KERNELS_H_

#include "openmmtsf/TSFKernels.h"
#include "openmmtsf/internal/ZMatrixRows.h"
#include "openmm/Vec3.h"

namespace TSFPlugin {

/**
 * The internal-coordinate transform in double precision on the host, for every ReferencePlatform
 * (Reference and CPU). Batches are processed one configuration after another.
 */
class ReferenceCalcInternalCoordinatesKernel : public CalcInternalCoordinatesKernel {
public:
    ReferenceCalcInternalCoordinatesKernel(std::string name, const OpenMM::Platform& platform) : CalcInternalCoordinatesKernel(name, platform) {
    }
    void initialize(const InternalCoordinates& definition) override;
    void forward(int numConfigurations, const std::vector<double>& positions,
            std::vector<double>& coordinates, std::vector<double>& logDetJacobian) override;
    void inverse(int numConfigurations, const std::vector<double>& coordinates, const std::vector<double>& frames,
            std::vector<double>& positions, std::vector<double>& logDetJacobian, std::vector<int>& outOfRange) override;
    void inverseVjp(int numConfigurations, const std::vector<double>& coordinates, const std::vector<double>& frames,
            const std::vector<double>& positionsGradient, const std::vector<double>& logDetGradient,
            std::vector<double>& coordinatesGradient) override;
private:
    /** Place one configuration's atoms; returns log|det J| of (frame, IC) -> x. */
    double placeAtoms(const double* coordinates, const double* frame, OpenMM::Vec3* positions) const;
    bool isOutOfRange(const double* coordinates) const;
    std::vector<ZMatrixRow> rows;
    int numAtoms, numCoordinates, numBonds, numAngles;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_REFERENCE_KERNELS_H_*/
