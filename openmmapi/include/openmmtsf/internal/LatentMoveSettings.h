// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_LATENT_MOVE_SETTINGS_H_
#define OPENMM_TSF_LATENT_MOVE_SETTINGS_H_

#include <vector>

namespace TSFPlugin {

/**
 * What a LatentSampler reads at every step: the settings of a TSFIntegrator, or those of flow jumps during MD
 * (TSFForce frequency), which move one replica and never exchange.
 */
struct LatentMoveSettings {
    /** The temperature of each replica, in kelvin. */
    std::vector<double> temperatures;
    /** The probability that a replica's move is a prior move (else a random-walk move). */
    double priorMoveProbability = 0.0;
    /** K, the prior proposals that one flow call draws for every replica. */
    int proposalsPerFlowCall = 1;
    /** Steps between exchange attempts (0: none). */
    int exchangeInterval = 0;
    /** Whether exchanges pair replicas uniformly at random (TSFIntegrator::AllPairsExchange), else neighbours. */
    bool allPairsExchange = false;
    /** Whether the flow runs as a float32 copy of the model (TSFIntegrator::SinglePrecisionFlow). */
    bool singlePrecisionFlow = false;
    /** Random-walk step sizes adapt during the first this many steps. */
    int adaptationSteps = 0;
    /** The random-walk acceptance that the adaptation aims at. */
    double targetAcceptance = 0.5;
    /** The force groups whose energy the moves sample (a bit mask, as Integrator::getIntegrationForceGroups()). */
    int integrationForceGroups = -1;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_LATENT_MOVE_SETTINGS_H_*/
