// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_LATENT_MOVE_BATCH_H_
#define OPENMM_TSF_LATENT_MOVE_BATCH_H_

#include <cstddef>
#include <initializer_list>
#include <vector>

namespace TSFPlugin {

/**
 * One latent move of every replica, between the flow's two calls: what the integrator drew and what the flow
 * stage (TSFModel::Stage) returns. The IC batches themselves ([R, n] in, [R, n] proposed out) are passed
 * separately, because on a GPU platform they stay on the device.
 *
 * The stage runs each flow direction once, on the rows that need it only. For the rows with inverse[r] = 1, with
 * auxiliary momenta p = momentumScale * momentumNoise, it computes (v, log|det J_D^-1|) = D^-1(x, p), v = (z, q).
 * For the random-walk rows (fromBank[r] = 0, which need inverse[r] = 1), it computes
 * v' = v + proposalScale * proposalNoise and (x', p', log|det J_D|) = D(v'). A row with fromBank[r] = 1 is a prior
 * move whose proposal is row bankIndex of that replica's bank of K prior proposals; when refillBank is set, the
 * stage first refills the bank with (x', p', log|det J_D|) = D(v'), v' = momentumScale * bankNoise, in one flow
 * call for every replica. Every array is on the host, row-major. Outputs a row did not ask for are left as they
 * were.
 */
struct LatentMoveBatch {
    /** The number of replicas R. */
    int numReplicas = 0;
    /** Whether the flow runs as a float32 copy of the model (TSFIntegrator::SinglePrecisionFlow). */
    bool singlePrecisionFlow = false;
    /** [R] each replica's temperature (kelvin): the input of a temperature-conditioned model. */
    std::vector<double> temperatures;
    /** [R, n_aux] standard normal draws: the auxiliary momenta before scaling. */
    std::vector<double> momentumNoise;
    /**
     * [R] sqrt(tau_r): the standard deviation of each replica's momenta and latent prior (tau_r = T_r / T_train, or 1
     * for a conditioned model).
     */
    std::vector<double> momentumScale;
    /** [R] the latent step size sigma_r of a random-walk move. */
    std::vector<double> proposalScale;
    /** [R, n + n_aux] standard normal draws of a random-walk proposal, z's then q's. */
    std::vector<double> proposalNoise;
    /** [R] 1 where the current latent point is needed (a random-walk move, or a prior move from a state whose latent point is not known). */
    std::vector<int> inverse;
    /** [R] 1 where the proposal is a prior proposal from the bank, 0 for a random-walk move. */
    std::vector<int> fromBank;
    /** K, the number of prior proposals per replica in the bank. */
    int bankSize = 0;
    /** Which of the K bank proposals of each replica this move uses. */
    int bankIndex = 0;
    /** Whether the stage must refill the bank (from bankNoise) before this move. */
    bool refillBank = false;
    /** [R, K, n + n_aux] standard normal draws of the bank's latent points, z's then q's (read when refillBank is set). */
    std::vector<double> bankNoise;
    /** Output, [R]: log|det J_D^-1| at the current configuration. */
    std::vector<double> logDetInverse;
    /** Output, [R]: log|det J_D| at the proposal. */
    std::vector<double> logDetForward;
    /** Output, [R]: |p|^2 and |p'|^2. */
    std::vector<double> momentumSquared, newMomentumSquared;
    /** Output, [R]: |v|^2 and |v'|^2 (the latent point before and after the move). */
    std::vector<double> latentSquared, newLatentSquared;

    /** Size every per-move array for R replicas, n coordinates and n_aux momenta. */
    void resize(int replicas, int numDimensions, int numAuxiliary) {
        numReplicas = replicas;
        inverse.resize(replicas);
        fromBank.resize(replicas);
        momentumNoise.resize((std::size_t) replicas * numAuxiliary);
        proposalNoise.resize((std::size_t) replicas * (numDimensions + numAuxiliary));
        for (std::vector<double>* perReplica : {&temperatures, &momentumScale, &proposalScale, &logDetInverse, &logDetForward,
                &momentumSquared, &newMomentumSquared, &latentSquared, &newLatentSquared})
            perReplica->resize(replicas);
    }
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_LATENT_MOVE_BATCH_H_*/
