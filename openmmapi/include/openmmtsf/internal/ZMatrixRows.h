// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_ZMATRIX_ROWS_H_
#define OPENMM_TSF_ZMATRIX_ROWS_H_

#include "openmmtsf/InternalCoordinates.h"
#include <vector>

namespace TSFPlugin {

/**
 * One Z-matrix row in the flat form a kernel loops over: local particle indices (positions in the
 * definition's sorted particle list, -1 where absent) and positions in the IC vector (-1 where absent).
 */
struct ZMatrixRow {
    int atom, bondPartner, anglePartner, torsionPartner;
    int bondIndex, angleIndex, torsionIndex;
    /** The fixed bond length in nm, or 0 for a free bond. */
    double fixedBondLength;
};

/** Flatten a definition into rows of local indices, in placement order. */
std::vector<ZMatrixRow> flattenZMatrix(const InternalCoordinates& definition);

} // namespace TSFPlugin

#endif /*OPENMM_TSF_ZMATRIX_ROWS_H_*/
