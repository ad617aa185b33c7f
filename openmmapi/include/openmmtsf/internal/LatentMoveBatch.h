// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_LATENT_MOVE_BATCH_H_
#define OPENMM_TSF_LATENT_MOVE_BATCH_H_

#include <cstddef>
#include <initializer_list>
#include <vector>

namespace TSFPlugin {

/**
 * One latent move of every replica, between the flow's two calls: what the integrator drew and what the flow
 * stage (TSFModel::proposeLatentMoves) returns. The IC batches themselves ([R, n] in, [R, n] proposed out) are
 * passed separately, because on a GPU platform they stay on the device.
 *
 * With auxiliary momenta p = momentumScale * momentumNoise, the stage computes (v, log|det J_D^-1|) = D^-1(x, p),
 * v' = keep * v + proposalScale * proposalNoise (v = (z, q)) and (x', p', log|det J_D|) = D(v'). Every array
 * is on the host, row-major.
 */
struct LatentMoveBatch {
    /** The number of replicas R. */
    int numReplicas = 0;
    /** [R] each replica's temperature (kelvin): the input of a temperature-conditioned model. */
    std::vector<double> temperatures;
    /** [R, n_aux] standard normal draws: the auxiliary momenta before scaling. */
    std::vector<double> momentumNoise;
    /** [R] sqrt(tau_r): the scale of each replica's momenta (tau_r = T_r / T_train, or 1 for a conditioned model). */
    std::vector<double> momentumScale;
    /** [R] 1 for a random-walk move, 0 for a prior (independence) move. */
    std::vector<double> keep;
    /** [R] the latent step size sigma_r (random walk) or sqrt(tau_r) (prior move). */
    std::vector<double> proposalScale;
    /** [R, n + n_aux] standard normal draws of the proposal, z's then q's. */
    std::vector<double> proposalNoise;
    /** Output, [R]: log|det J_D^-1| at the current configuration. */
    std::vector<double> logDetInverse;
    /** Output, [R]: log|det J_D| at the proposal. */
    std::vector<double> logDetForward;
    /** Output, [R]: |p|^2 and |p'|^2. */
    std::vector<double> momentumSquared, newMomentumSquared;
    /** Output, [R]: |v|^2 and |v'|^2 (the latent point before and after the move). */
    std::vector<double> latentSquared, newLatentSquared;

    /** Size every array for R replicas, n coordinates and n_aux momenta. */
    void resize(int replicas, int numDimensions, int numAuxiliary) {
        numReplicas = replicas;
        momentumNoise.resize((std::size_t) replicas * numAuxiliary);
        proposalNoise.resize((std::size_t) replicas * (numDimensions + numAuxiliary));
        for (std::vector<double>* perReplica : {&temperatures, &momentumScale, &keep, &proposalScale, &logDetInverse, &logDetForward,
                &momentumSquared, &newMomentumSquared, &latentSquared, &newLatentSquared})
            perReplica->resize(replicas);
    }
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_LATENT_MOVE_BATCH_H_*/
