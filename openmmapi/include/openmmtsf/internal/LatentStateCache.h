// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_LATENT_STATE_CACHE_H_
#define OPENMM_TSF_LATENT_STATE_CACHE_H_

#include "openmmtsf/internal/LatentMoveBatch.h"
#include <iosfwd>
#include <vector>

namespace TSFPlugin {

/**
 * What is known of each replica's current state in latent space, from its last move: enough for a prior move's
 * acceptance without the inverse flow. A replica's entry is forgotten whenever its configuration, its momenta or the
 * flow's arithmetic change other than by a move.
 */
class LatentStateCache {
public:
    /** Know nothing of a number of replicas. */
    void reset(int numReplicas);
    /** Forget every replica's latent point. */
    void forgetAll();
    /** Forget one replica's latent point. */
    void forget(int replica);
    /** Whether a replica's latent point is known. */
    bool isKnown(int replica) const;
    /**
     * Set from a replica's move: the proposal's numbers if it was accepted, else the current state's (unknown if
     * they are not finite).
     */
    void update(const LatentMoveBatch& move, int replica, bool accepted);
    /** Fill in the current state's numbers of every replica whose inverse flow the move did not run. */
    void fillIn(LatentMoveBatch& move) const;
    /**
     * Two replicas exchanged configurations: their latent points go with them if the model has no momenta and ignores
     * the temperature, and are forgotten otherwise (exchanged configurations get new momenta).
     */
    void exchange(int replica1, int replica2, bool latentPointsTravel);
    /** Write every replica's entry in binary. */
    void write(std::ostream& stream) const;
    /**
     * Read what write() wrote for a number of replicas.
     *
     * @throws OpenMMException if an entry is corrupt or the stream ends early
     */
    void read(std::istream& stream, int numReplicas);
private:
    struct LatentState {
        /** Whether the numbers describe the replica's current configuration and momenta. */
        bool known = false;
        /** log|det J_D^-1| at the current state, |p|^2 and |v|^2 of its momenta and latent point. */
        double logDetInverse = 0.0, momentumSquared = 0.0, latentSquared = 0.0;
    };
    std::vector<LatentState> states;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_LATENT_STATE_CACHE_H_*/
