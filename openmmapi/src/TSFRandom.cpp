// SPDX-License-Identifier: MIT
#include "openmmtsf/internal/TSFRandom.h"
#include "openmm/OpenMMException.h"
#include "openmm/internal/OSRngSeed.h"
#include <algorithm>
#include <cmath>
#include <istream>
#include <ostream>
#include <random>

using namespace TSFPlugin;

namespace {

// The parameters of mt19937_64 ([rand.predef] in the C++ standard).
const int ShiftIndex = 156;
const uint64_t TwistMatrix = 0xb5026f5aa96619e9ULL;
const uint64_t UpperMask = ~0ULL << 31;
const uint64_t LowerMask = (1ULL << 31) - 1;
const uint64_t InitializationMultiplier = 6364136223846793005ULL;
/** The first words of a serialized state: "TSFR" (little-endian) and the format's version, to refuse anything else. */
const uint32_t StateMagic = 0x52465354u;
const uint32_t StateFormat = 1;

} // namespace

TSFRandom::TSFRandom() {
    seed(5489);  // the standard engine's default seed
}

void TSFRandom::seed(int seed, int stream) {
    const unsigned value = (seed == 0 ? (unsigned) osrngseed() : (unsigned) seed);
    if (stream == 0) {
        state[0] = value;
        for (int i = 1; i < StateWords; i++)
            state[i] = InitializationMultiplier * (state[i - 1] ^ (state[i - 1] >> 62)) + (uint64_t) i;
    }
    else {
        // The standard's seeding from a seed sequence: two 32-bit words per state word, low word first.
        std::seed_seq sequence{value, (unsigned) stream};
        uint32_t words[2 * StateWords];
        sequence.generate(words, words + 2 * StateWords);
        bool zero = true;
        for (int i = 0; i < StateWords; i++) {
            state[i] = (uint64_t) words[2 * i] | ((uint64_t) words[2 * i + 1] << 32);
            zero = zero && (i == 0 ? (state[0] & UpperMask) == 0 : state[i] == 0);
        }
        if (zero)
            state[0] = 1ULL << 63;
    }
    index = StateWords;
    hasSpareNormal = false;
    spareNormal = 0.0;
}

void TSFRandom::twist() {
    for (int i = 0; i < StateWords; i++) {
        const uint64_t y = (state[i] & UpperMask) | (state[(i + 1) % StateWords] & LowerMask);
        state[i] = state[(i + ShiftIndex) % StateWords] ^ (y >> 1) ^ ((y & 1) ? TwistMatrix : 0);
    }
    index = 0;
}

uint64_t TSFRandom::next() {
    if (index >= StateWords)
        twist();
    uint64_t z = state[index++];
    z ^= (z >> 29) & 0x5555555555555555ULL;
    z ^= (z << 17) & 0x71d67fffeda60000ULL;
    z ^= (z << 37) & 0xfff7eee000000000ULL;
    return z ^ (z >> 43);
}

double TSFRandom::uniform() {
    const double value = (double) next() / 18446744073709551616.0;
    return value < 1.0 ? value : std::nextafter(1.0, 0.0);
}

double TSFRandom::normal() {
    if (hasSpareNormal) {
        hasSpareNormal = false;
        return spareNormal;
    }
    double x, y, radiusSquared;
    do {
        x = 2.0 * uniform() - 1.0;
        y = 2.0 * uniform() - 1.0;
        radiusSquared = x * x + y * y;
    } while (radiusSquared > 1.0 || radiusSquared == 0.0);
    const double factor = std::sqrt(-2.0 * std::log(radiusSquared) / radiusSquared);
    spareNormal = x * factor;
    hasSpareNormal = true;
    return y * factor;
}

int TSFRandom::integer(int count) {
    const uint64_t range = (uint64_t) count;
    unsigned __int128 product = (unsigned __int128) next() * range;
    uint64_t low = (uint64_t) product;
    if (low < range) {
        const uint64_t threshold = (0 - range) % range;
        while (low < threshold) {
            product = (unsigned __int128) next() * range;
            low = (uint64_t) product;
        }
    }
    return (int) (product >> 64);
}

void TSFRandom::write(std::ostream& stream) const {
    const uint32_t header[3] = {StateMagic, StateFormat, (uint32_t) index};
    const uint8_t spare = hasSpareNormal ? 1 : 0;
    stream.write((const char*) header, sizeof(header));
    stream.write((const char*) state, sizeof(state));
    stream.write((const char*) &spare, sizeof(spare));
    stream.write((const char*) &spareNormal, sizeof(spareNormal));
}

void TSFRandom::read(std::istream& stream) {
    uint32_t header[3];
    uint64_t words[StateWords];
    uint8_t spare;
    double spareValue;
    stream.read((char*) header, sizeof(header));
    stream.read((char*) words, sizeof(words));
    stream.read((char*) &spare, sizeof(spare));
    stream.read((char*) &spareValue, sizeof(spareValue));
    if (!stream || header[0] != StateMagic || header[1] != StateFormat || header[2] > (uint32_t) StateWords || spare > 1 ||
            (spare == 1 && !std::isfinite(spareValue)))
        throw OpenMM::OpenMMException("TSFIntegrator checkpoint: corrupt random-number state");
    std::copy(words, words + StateWords, state);
    index = (int) header[2];
    hasSpareNormal = (spare == 1);
    spareNormal = (hasSpareNormal ? spareValue : 0.0);
}
