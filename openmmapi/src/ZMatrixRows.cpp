// SPDX-License-Identifier: MIT
#include "openmmtsf/internal/ZMatrixRows.h"
#include <algorithm>

using namespace TSFPlugin;

std::vector<ZMatrixRow> TSFPlugin::flattenZMatrix(const InternalCoordinates& definition) {
    const std::vector<int>& particles = definition.getParticles();
    auto local = [&particles](int particle) {
        return particle < 0 ? -1 : (int) (std::lower_bound(particles.begin(), particles.end(), particle) - particles.begin());
    };
    std::vector<ZMatrixRow> rows;
    for (int r = 0; r < definition.getNumAtoms(); r++) {
        int particle, j, k, l;
        definition.getAtom(r, particle, j, k, l);
        rows.push_back(ZMatrixRow{local(particle), local(j), local(k), local(l), definition.getBondIndex(r),
                definition.getAngleIndex(r), definition.getTorsionIndex(r), definition.getFixedBondLength(r)});
    }
    return rows;
}
