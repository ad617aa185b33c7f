// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_STATISTICS_H_
#define OPENMM_TSF_STATISTICS_H_

#include <iosfwd>
#include <vector>

namespace TSFPlugin {

/** The counts a TSFIntegrator keeps: per replica (temperature index), per replica pair and per walker. */
struct TSFStatistics {
    /** Moves attempted and accepted per replica, indexed [move type][replica]. */
    std::vector<long long> attempted[2], accepted[2];
    /** Proposals rejected per replica for out-of-range internal coordinates and for non-finite energies. */
    std::vector<long long> outOfRange, nonFinite;
    /** Exchanges attempted and accepted, [numReplicas * numReplicas], symmetric. */
    std::vector<long long> exchangesAttempted, exchangesAccepted;
    /** Completed round trips per walker. */
    std::vector<long long> roundTrips;
    /**
     * Wall-clock seconds spent in steps, indexed by TSFIntegrator::StepPart: energies, flow calls, the IC
     * transform, and whole steps. Not part of checkpoints.
     */
    double seconds[4] = {0.0, 0.0, 0.0, 0.0};
    /** Zero every count for a number of replicas. */
    void reset(int numReplicas);
    /** Write the counts in binary. */
    void write(std::ostream& stream) const;
    /**
     * Read counts written by write() for a number of replicas; every size is checked before anything is allocated.
     *
     * @throws OpenMMException if a size does not match, a count is negative, or the stream ends early
     */
    void read(std::istream& stream, int numReplicas);
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_STATISTICS_H_*/
