// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_STEP_SIZE_ADAPTER_H_
#define OPENMM_TSF_STEP_SIZE_ADAPTER_H_

#include <vector>

namespace TSFPlugin {

/**
 * The latent step size sigma of each replica's random-walk moves, adapted towards a target acceptance during the
 * first steps of a run (a Robbins-Monro rule on log sigma, with gain 1/sqrt(1 + step)).
 */
class StepSizeAdapter {
public:
    /** Set every replica's step size. */
    void reset(const std::vector<double>& stepSizes);
    /** Get a replica's step size. */
    double get(int replica) const;
    /** Set a replica's step size (> 0, finite). */
    void set(int replica, double stepSize);
    /**
     * Adapt a replica's step size after a random-walk move: log sigma moves by (acceptance - target) / sqrt(1 + step)
     * while step < adaptationSteps.
     *
     * @param replica           the replica
     * @param acceptance        the move's acceptance probability
     * @param step              the index of the step (0 for the first)
     * @param adaptationSteps   the number of steps that adapt
     * @param targetAcceptance  the acceptance aimed at
     */
    void adapt(int replica, double acceptance, long long step, int adaptationSteps, double targetAcceptance);
private:
    std::vector<double> stepSizes;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_STEP_SIZE_ADAPTER_H_*/
