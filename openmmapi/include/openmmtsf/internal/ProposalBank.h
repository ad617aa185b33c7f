// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_PROPOSAL_BANK_H_
#define OPENMM_TSF_PROPOSAL_BANK_H_

#include "openmmtsf/internal/LatentMoveBatch.h"
#include "openmmtsf/internal/TSFRandom.h"
#include <iosfwd>
#include <vector>

namespace TSFPlugin {

/**
 * The bank of prior proposals: K latent draws per replica that one flow call maps to configurations, used one per
 * step. The bank holds its own random stream, and the state of that stream before the current bank's draws, so that
 * a checkpoint restores the bank by drawing it again rather than by storing it.
 */
class ProposalBank {
public:
    /** Start the bank's stream from the integrator's seed (stream 2), with no bank drawn. */
    void seed(int randomNumberSeed);
    /**
     * Point a move at the next proposal of the bank, and ask for a refill (with its draws in batch.bankNoise) when it
     * is used up or K has changed.
     *
     * @param proposalsPerFlowCall  K
     * @param numReplicas           R
     * @param valuesPerProposal     n + n_aux
     * @param batch                 on exit: bankSize, bankIndex, refillBank and, for a refill, bankNoise
     */
    void take(int proposalsPerFlowCall, int numReplicas, int valuesPerProposal, LatentMoveBatch& batch);
    /** Move on to the next proposal, after a step that used one. */
    void advance();
    /**
     * Whether the bank was drawn for this ladder; if not, the bank is discarded and remembers the new ladder (a
     * temperature-conditioned flow maps the same draws to other proposals at other temperatures).
     */
    bool keepFor(const std::vector<double>& temperatures);
    /** Discard the current bank: the next take() draws a new one. */
    void discard();
    /** Write {K, bank size, cursor} and both random states in binary. */
    void write(std::ostream& stream, int proposalsPerFlowCall) const;
    /**
     * Read what write() wrote, for the ladder the bank is restored for: the next take() draws the same bank again and
     * resumes at the same proposal.
     *
     * @return K
     * @throws OpenMMException if the numbers are out of range, a random state is corrupt, or the stream ends early
     */
    int read(std::istream& stream, const std::vector<double>& temperatures);
private:
    /** The stream of the bank's draws, and its state before the draws of the current bank. */
    TSFRandom random, drawnFrom;
    /** K of the current bank, the next proposal to use (size: used up), and the ladder it was drawn for. */
    int size = 0, cursor = 0;
    std::vector<double> temperatures;
    /** Where a bank restored from a checkpoint resumes once it is drawn again (-1: none to restore). */
    int restoredCursor = -1;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_PROPOSAL_BANK_H_*/
