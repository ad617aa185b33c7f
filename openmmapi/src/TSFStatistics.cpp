// SPDX-License-Identifier: MIT
#include "openmmtsf/internal/TSFStatistics.h"
#include "openmm/OpenMMException.h"
#include <istream>
#include <ostream>
#include <string>

using namespace TSFPlugin;

namespace {

void writeCounts(std::ostream& stream, const std::vector<long long>& counts) {
    const long long size = counts.size();
    stream.write((const char*) &size, sizeof(size));
    stream.write((const char*) counts.data(), size * sizeof(long long));
}

/** Read counts that must number `expected` (checked before anything is allocated) and be non-negative. */
void readCounts(std::istream& stream, std::vector<long long>& counts, long long expected) {
    long long size;
    stream.read((char*) &size, sizeof(size));
    if (!stream || size != expected)
        throw OpenMM::OpenMMException("TSFIntegrator checkpoint: corrupt statistics (" + std::to_string(size) +
                " counts where " + std::to_string(expected) + " were expected)");
    counts.resize(size);
    stream.read((char*) counts.data(), size * sizeof(long long));
    if (!stream)
        throw OpenMM::OpenMMException("TSFIntegrator checkpoint: truncated");
    for (long long count : counts)
        if (count < 0)
            throw OpenMM::OpenMMException("TSFIntegrator checkpoint: corrupt statistics (a negative count)");
}

} // namespace

void TSFStatistics::reset(int numReplicas) {
    for (int type = 0; type < 2; type++) {
        attempted[type].assign(numReplicas, 0);
        accepted[type].assign(numReplicas, 0);
    }
    outOfRange.assign(numReplicas, 0);
    nonFinite.assign(numReplicas, 0);
    exchangesAttempted.assign(numReplicas * numReplicas, 0);
    exchangesAccepted.assign(numReplicas * numReplicas, 0);
    roundTrips.assign(numReplicas, 0);
    for (double& part : seconds)
        part = 0.0;
}

void TSFStatistics::write(std::ostream& stream) const {
    for (const std::vector<long long>* counts : {&attempted[0], &attempted[1], &accepted[0], &accepted[1], &outOfRange, &nonFinite,
            &exchangesAttempted, &exchangesAccepted, &roundTrips})
        writeCounts(stream, *counts);
}

void TSFStatistics::read(std::istream& stream, int numReplicas) {
    const long long R = numReplicas;
    for (std::vector<long long>* counts : {&attempted[0], &attempted[1], &accepted[0], &accepted[1], &outOfRange, &nonFinite})
        readCounts(stream, *counts, R);
    readCounts(stream, exchangesAttempted, R * R);
    readCounts(stream, exchangesAccepted, R * R);
    readCounts(stream, roundTrips, R);
}
