// SPDX-License-Identifier: MIT
#include "openmmtsf/internal/TSFRandom.h"
#include "openmm/OpenMMException.h"
#include "openmm/internal/OSRngSeed.h"
#include <sstream>

using namespace TSFPlugin;

void TSFRandom::seed(int seed, int stream) {
    const unsigned value = (seed == 0 ? (unsigned) osrngseed() : (unsigned) seed);
    if (stream == 0)
        generator.seed(value);
    else {
        std::seed_seq sequence{value, (unsigned) stream};
        generator.seed(sequence);
    }
    normalDistribution.reset();
}

void TSFRandom::write(std::ostream& stream) const {
    std::stringstream text;
    text << generator << ' ' << normalDistribution;
    const std::string state = text.str();
    const long long size = state.size();
    stream.write((const char*) &size, sizeof(size));
    stream.write(state.data(), size);
}

void TSFRandom::read(std::istream& stream) {
    long long size;
    stream.read((char*) &size, sizeof(size));
    if (!stream || size <= 0 || size > (1 << 20))
        throw OpenMM::OpenMMException("TSFIntegrator checkpoint: corrupt random-number state");
    std::string state(size, ' ');
    stream.read(&state[0], size);
    std::stringstream text(state);
    text >> generator >> normalDistribution;
    if (!text)
        throw OpenMM::OpenMMException("TSFIntegrator checkpoint: corrupt random-number state");
}
