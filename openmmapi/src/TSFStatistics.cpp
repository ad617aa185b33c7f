// SPDX-License-Identifier: MIT
#include "openmmtsf/internal/TSFStatistics.h"
#include "openmm/OpenMMException.h"
#include <istream>
#include <ostream>

using namespace TSFPlugin;

namespace {

void writeCounts(std::ostream& stream, const std::vector<long long>& counts) {
    const long long size = counts.size();
    stream.write((const char*) &size, sizeof(size));
    stream.write((const char*) counts.data(), size * sizeof(long long));
}

void readCounts(std::istream& stream, std::vector<long long>& counts) {
    long long size;
    stream.read((char*) &size, sizeof(size));
    if (!stream || size < 0 || size > (1LL << 32))
        throw OpenMM::OpenMMException("TSFIntegrator checkpoint: corrupt statistics");
    counts.resize(size);
    stream.read((char*) counts.data(), size * sizeof(long long));
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

void TSFStatistics::read(std::istream& stream) {
    for (std::vector<long long>* counts : {&attempted[0], &attempted[1], &accepted[0], &accepted[1], &outOfRange, &nonFinite,
            &exchangesAttempted, &exchangesAccepted, &roundTrips})
        readCounts(stream, *counts);
}
