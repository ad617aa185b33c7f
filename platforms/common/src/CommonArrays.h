// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_COMMON_ARRAYS_H_
#define OPENMM_TSF_COMMON_ARRAYS_H_

#include "openmm/Vec3.h"
#include "openmm/common/ComputeArray.h"
#include "openmm/common/ComputeContext.h"
#include <vector>

namespace TSFPlugin {

/**
 * Host <-> device copies for arrays of the kernels' `mixed` type (double in mixed and double precision, float in
 * single precision). Host data are always double.
 */
class MixedArrays {
public:
    explicit MixedArrays(OpenMM::ComputeContext& cc) : mixedIsDouble(cc.getUseDoublePrecision() || cc.getUseMixedPrecision()) {
    }
    /** The size in bytes of one `mixed` value. */
    int scalarSize() const {
        return mixedIsDouble ? sizeof(double) : sizeof(float);
    }
    /** Copy count values to the start of an array of `mixed` (or `mixed4`, count = 4 per element). */
    void upload(OpenMM::ArrayInterface& array, const double* values, size_t count, int firstElement = 0);
    /** Copy the first count values of an array of `mixed` (or `mixed4`). */
    void download(OpenMM::ArrayInterface& array, double* values, size_t count);
    /** Copy [count, 3] positions into `mixed4` elements starting at firstElement. */
    void uploadPositions(OpenMM::ArrayInterface& array, const double* positions, size_t count, int firstElement = 0);
    /** Copy count `mixed4` elements starting at firstElement into [count, 3] positions. */
    void downloadPositions(OpenMM::ArrayInterface& array, double* positions, size_t count, int firstElement = 0);
private:
    bool mixedIsDouble;
    std::vector<float> floats;
    std::vector<double> doubles;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_COMMON_ARRAYS_H_*/
