// SPDX-License-Identifier: MIT
#include "openmmtsf/internal/LatentStateCache.h"
#include "openmm/OpenMMException.h"
#include <cmath>
#include <istream>
#include <ostream>
#include <utility>

using namespace TSFPlugin;
using OpenMM::OpenMMException;

void LatentStateCache::reset(int numReplicas) {
    states.assign(numReplicas, LatentState());
}

void LatentStateCache::forgetAll() {
    states.assign(states.size(), LatentState());
}

void LatentStateCache::forget(int replica) {
    states[replica].known = false;
}

bool LatentStateCache::isKnown(int replica) const {
    return states[replica].known;
}

void LatentStateCache::update(const LatentMoveBatch& move, int replica, bool accepted) {
    LatentState& state = states[replica];
    // After an accepted move the state is the proposal: log|det J_D^-1| there is -log|det J_D| at v'.
    state.logDetInverse = accepted ? -move.logDetForward[replica] : move.logDetInverse[replica];
    state.momentumSquared = accepted ? move.newMomentumSquared[replica] : move.momentumSquared[replica];
    state.latentSquared = accepted ? move.newLatentSquared[replica] : move.latentSquared[replica];
    state.known = std::isfinite(state.logDetInverse) && std::isfinite(state.momentumSquared) && std::isfinite(state.latentSquared);
}

void LatentStateCache::fillIn(LatentMoveBatch& move) const {
    for (size_t r = 0; r < states.size(); r++)
        if (!move.inverse[r]) {
            move.logDetInverse[r] = states[r].logDetInverse;
            move.momentumSquared[r] = states[r].momentumSquared;
            move.latentSquared[r] = states[r].latentSquared;
        }
}

void LatentStateCache::exchange(int replica1, int replica2, bool latentPointsTravel) {
    if (latentPointsTravel)
        std::swap(states[replica1], states[replica2]);
    else
        states[replica1].known = states[replica2].known = false;
}

void LatentStateCache::write(std::ostream& stream) const {
    for (const LatentState& state : states) {
        const int known = state.known;
        const double numbers[3] = {state.logDetInverse, state.momentumSquared, state.latentSquared};
        stream.write((const char*) &known, sizeof(known));
        stream.write((const char*) numbers, sizeof(numbers));
    }
}

void LatentStateCache::read(std::istream& stream, int numReplicas) {
    std::vector<LatentState> loaded(numReplicas);
    for (LatentState& state : loaded) {
        int known;
        stream.read((char*) &known, sizeof(known));
        stream.read((char*) &state.logDetInverse, sizeof(double));
        stream.read((char*) &state.momentumSquared, sizeof(double));
        stream.read((char*) &state.latentSquared, sizeof(double));
        if (!stream)
            throw OpenMMException("TSFIntegrator checkpoint: truncated");
        state.known = (known == 1);
        if ((known != 0 && known != 1) || (state.known && !(std::isfinite(state.logDetInverse) &&
                std::isfinite(state.momentumSquared) && std::isfinite(state.latentSquared))))
            throw OpenMMException("TSFIntegrator checkpoint: corrupt latent state");
    }
    states = loaded;
}
