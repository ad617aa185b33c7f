// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_LATENT_METROPOLIS_H_
#define OPENMM_TSF_LATENT_METROPOLIS_H_

#include "openmm/reference/SimTKOpenMMRealType.h"

namespace TSFPlugin {

/**
 * Boltzmann's constant in kJ/(mol K): OpenMM's own (BOLTZ of openmm/reference/SimTKOpenMMRealType.h, the value its
 * integrators and thermostats use), so that kT here is bit for bit OpenMM's.
 */
constexpr double BOLTZMANN_KJ_PER_MOL_K = BOLTZ;

/**
 * log pi(ic, p) = -U/kT + log|det dx/d(ic)| - |p|^2 / (2 tau), up to a constant: the target of a latent move
 * at temperature T, with tau = T / T_train.
 *
 * @param energy              U in kJ/mol
 * @param kT                  kJ/mol
 * @param logDetIcToX         log|det dx/d(frame, ic)| of the configuration
 * @param momentumSquared     |p|^2
 * @param tau                 T / T_train
 */
inline double logTargetDensity(double energy, double kT, double logDetIcToX, double momentumSquared, double tau) {
    return -energy / kT + logDetIcToX - 0.5 * momentumSquared / tau;
}

/**
 * The log Metropolis-Hastings ratio of a latent move from gamma = (ic, p) to gamma' = D(v').
 *
 * For a random-walk move (v' = D^-1(gamma) + sigma xi) the Gaussian terms cancel and
 *     log r = log pi(gamma') - log pi(gamma) + log|det J_{D^-1}(gamma)| + log|det J_D(v')|.
 * For a prior move (v' ~ N(0, tau)), the proposal density q(gamma) = N(D^-1(gamma); 0, tau) |det J_{D^-1}(gamma)|
 * enters as importance weights, adding (|v'|^2 - |v|^2) / (2 tau).
 *
 * @param logTargetOld          log pi(gamma)
 * @param logTargetNew          log pi(gamma')
 * @param logDetInverseOld      log|det J_{D^-1}(gamma)|, from the model's inverse()
 * @param logDetForwardNew      log|det J_D(v')|, from the model's forward()
 * @param priorMove             whether v' came from the prior
 * @param latentSquaredOld      |v|^2 (prior moves only)
 * @param latentSquaredNew      |v'|^2 (prior moves only)
 * @param tau                   T / T_train
 */
inline double logAcceptanceRatio(double logTargetOld, double logTargetNew, double logDetInverseOld, double logDetForwardNew,
        bool priorMove, double latentSquaredOld, double latentSquaredNew, double tau) {
    double result = logTargetNew - logTargetOld + logDetInverseOld + logDetForwardNew;
    if (priorMove)
        result += 0.5 * (latentSquaredNew - latentSquaredOld) / tau;
    return result;
}

} // namespace TSFPlugin

#endif /*OPENMM_TSF_LATENT_METROPOLIS_H_*/
