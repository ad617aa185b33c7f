// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_REPLICA_EXCHANGE_H_
#define OPENMM_TSF_REPLICA_EXCHANGE_H_

#include "openmmtsf/internal/TSFRandom.h"
#include "openmmtsf/internal/TSFStatistics.h"
#include <functional>
#include <iosfwd>
#include <vector>

namespace TSFPlugin {

/**
 * Temperature exchanges between replicas, and the walkers they move: platform-neutral bookkeeping shared by
 * every implementation of IntegrateTSFStepKernel.
 */
class ReplicaExchange {
public:
    /** Start with walker i at replica i. */
    void reset(int numReplicas);
    /**
     * Attempt one round of exchanges and count it in the statistics.
     *
     * @param temperatures  kelvin, per replica
     * @param energies      potential energies in kJ/mol, per replica; swapped along with accepted exchanges
     * @param allPairs      whether to try numReplicas^2 uniformly chosen pairs, else alternately the even and odd
     *                      neighbour pairs
     * @param random        the integrator's random stream
     * @param statistics    counts to update (exchanges and round trips)
     * @param swap          called with (i, j) for each accepted exchange, to swap the callers' replica data
     */
    void attempt(const std::vector<double>& temperatures, std::vector<double>& energies, bool allPairs,
            TSFRandom& random, TSFStatistics& statistics, const std::function<void(int, int)>& swap);
    /** The walker at each replica. */
    const std::vector<int>& getWalkers() const {
        return walkers;
    }
    /** Write the walkers and their round-trip progress in binary. */
    void write(std::ostream& stream) const;
    /** Read what write() wrote. */
    void read(std::istream& stream);
private:
    void tryPair(int i, int j, const std::vector<double>& temperatures, std::vector<double>& energies, TSFRandom& random,
            TSFStatistics& statistics, const std::function<void(int, int)>& swap);
    void countRoundTrips(const std::vector<double>& temperatures, TSFStatistics& statistics);
    std::vector<int> walkers;
    /** Per walker: the extreme temperature (replica index) it last visited, or -1. */
    std::vector<int> lastExtreme;
    long long rounds = 0;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_REPLICA_EXCHANGE_H_*/
