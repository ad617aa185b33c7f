// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_INTEGRATOR_H_
#define OPENMM_TSF_INTEGRATOR_H_

#include "openmm/Integrator.h"
#include "openmm/Kernel.h"
#include "openmm/State.h"
#include "openmm/Vec3.h"
#include <vector>

namespace TSFPlugin {

class IntegrateTSFStepKernel;

/**
 * Exact latent-space Monte Carlo with a temperature-steerable flow, and replica exchange over a ladder of
 * temperatures. The System must hold a TSFForce (the flow and the molecule's Z-matrix).
 *
 * One step moves every replica once. For replica r at temperature T_r, with tau = T_r / T_train:
 *  1. p ~ N(0, tau I) (auxiliary momenta, if the model has any);
 *  2. v = D^-1(ic(x), p);
 *  3. v' = v + sigma_r xi, xi ~ N(0, I) (a random-walk move), or, with the prior-move probability, v' ~ N(0, tau I)
 *     (a prior move: a Metropolised Boltzmann generator);
 *  4. (ic', p') = D(v') and x' = ic^-1(ic') in the replica's current frame;
 *  5. accept with the exact Metropolis-Hastings ratio for the target
 *     pi(ic, p) ~ exp(-U(x)/kT) |det dx/d(ic)| exp(-|p|^2 / 2 tau),
 *     including the flow's Jacobians, so the move is exact for any invertible flow.
 * Proposals with out-of-range internal coordinates or a non-finite energy are rejected and counted apart.
 *
 * Prior moves keep the auxiliary momenta p of the current state (the target is the joint density of (ic, p), and
 * momenta are redrawn before every random-walk move and after every accepted exchange), so that the current
 * latent point and its density are known after every move. A prior move then needs no inverse flow call, and its
 * proposal comes from a bank of K proposals per replica that one forward() call fills
 * (setProposalsPerFlowCall()). The inverse flow runs only for random-walk moves and for replicas whose latent
 * point is unknown: after an accepted exchange (for models with momenta or conditioned on temperature), new
 * positions, a new temperature ladder for a conditioned model, or a flow jump during MD; each flow direction then
 * runs once per step, on those replicas only. Particles outside the flow's molecule stay where they are; their
 * energy counts.
 *
 * Every exchange interval, neighbouring temperatures (alternately even and odd pairs) or random pairs of all
 * temperatures swap configurations with probability min(1, exp((beta_i - beta_j)(U_i - U_j))).
 *
 * Replica i is the configuration at temperatures[i]. The Context always holds replica 0, so Simulation and
 * its reporters see the first temperature; getState() and setPositions() reach the others. After each call
 * to step(), the Context's velocities are drawn from the Maxwell-Boltzmann distribution at temperatures[0];
 * they play no part in the moves.
 *
 * The latent step sizes sigma can be tuned during the first adaptation steps towards a target acceptance rate
 * (log sigma += (accepted - target) / sqrt(1 + step)); they are frozen afterwards. Only the samples after the
 * freeze form an exact Markov chain.
 */
class TSFIntegrator : public OpenMM::Integrator {
public:
    /** How replicas are paired for exchanges. */
    enum ExchangeScheme {
        /** Neighbours in the list of temperatures, alternately the even and the odd pairs. */
        NeighborExchange = 0,
        /** numReplicas^2 attempts between uniformly chosen pairs. */
        AllPairsExchange = 1
    };
    /** The arithmetic of the flow's calls (setFlowPrecision()). */
    enum FlowPrecision {
        /** float64 throughout (the default). */
        DoublePrecisionFlow = 0,
        /**
         * A float32 copy of the model: its weights and arithmetic in float32, its inputs and outputs converted from and
         * to float64. A 384-row call of the default spline flow runs about 1.4x faster on a CPU, but a step of the
         * sampler no faster within the bench's spread (bench/README.md). The Metropolis-Hastings ratio then
         * takes the float32 log-densities as they are: for the default alanine-dipeptide flow they differ from the
         * float64 ones by about 1e-5 typically, 1e-3 at the 99th percentile and up to 0.04 in the tails
         * (docs/tsf-integrator.md).
         */
        SinglePrecisionFlow = 1
    };
    /** The parts of a step whose cost is measured (see getSecondsSpent()). */
    enum StepPart {
        /** Energy evaluations, one per replica and step. */
        EnergyPart = 0,
        /** Flow calls, one in each direction per step. */
        FlowPart = 1,
        /** The internal-coordinate transform, one in each direction per step. */
        InternalCoordinatePart = 2,
        /** Whole steps, including exchanges and the integrator's own work. */
        TotalPart = 3
    };
    /** The kinds of latent move. */
    enum MoveType {
        /** v' = v + sigma xi. */
        RandomWalkMove = 0,
        /** v' drawn afresh from the prior at the replica's temperature. */
        PriorMove = 1
    };
    /** The largest number of proposals per flow call (setProposalsPerFlowCall()). */
    static const int MaxProposalsPerFlowCall = 65536;
    /**
     * @param temperatures  the temperature of each replica, in kelvin: positive and all different
     */
    explicit TSFIntegrator(const std::vector<double>& temperatures);
    /** A single replica at one temperature, in kelvin. */
    explicit TSFIntegrator(double temperature);
    /**
     * A geometric ladder of temperatures.
     *
     * @param minimum  the lowest temperature, in kelvin
     * @param maximum  the highest temperature, in kelvin (> minimum)
     * @param count    the number of temperatures (>= 2)
     */
    static std::vector<double> geometricTemperatures(double minimum, double maximum, int count);
    /** Get the number of replicas. */
    int getNumReplicas() const;
    /** Get the temperature of each replica, in kelvin. */
    const std::vector<double>& getTemperatures() const;
    /**
     * Set the temperatures, in kelvin. Once a Context exists, their number cannot change.
     */
    void setTemperatures(const std::vector<double>& temperatures);
    /** Get the temperature of replica 0 (the one the Context holds), in kelvin. */
    double getTemperature() const;
    /** Set the temperature of replica 0, in kelvin. */
    void setTemperature(double temperature);
    /** Get a replica's latent step size sigma (latent units: the prior's standard deviation at the training temperature is 1). */
    double getLatentStepSize(int replica) const;
    /** Set the latent step size sigma (> 0) of every replica. */
    void setLatentStepSize(double sigma);
    /** Set the latent step size sigma (> 0) of one replica. */
    void setLatentStepSize(int replica, double sigma);
    /**
     * Get the probability that a move is a prior move rather than a random-walk move (default 1: prior moves only,
     * the fastest for a flow that accepts a good share of them; random-walk moves explore locally where it does not).
     */
    double getPriorMoveProbability() const;
    /** Set the probability, in [0, 1], that a move is a prior move. */
    void setPriorMoveProbability(double probability);
    /**
     * Get K, the number of prior proposals per replica that one flow call makes. A prior proposal does not depend on
     * the current state, so K of them come from one forward() call for every replica and serve the next K prior
     * moves; the chain is the same as with fresh draws (default 64).
     */
    int getProposalsPerFlowCall() const;
    /** Set K, in [1, MaxProposalsPerFlowCall], the number of prior proposals per replica that one flow call makes. */
    void setProposalsPerFlowCall(int count);
    /**
     * Get the number of steps between exchange attempts (0: never; default 25). An accepted exchange costs an inverse
     * flow call at the next step for the replicas it moved (for a temperature-conditioned model or one with momenta).
     */
    int getExchangeInterval() const;
    /** Set the number of steps between exchange attempts (0: never). */
    void setExchangeInterval(int steps);
    /** Get how replicas are paired for exchanges. */
    ExchangeScheme getExchangeScheme() const;
    /** Set how replicas are paired for exchanges. */
    void setExchangeScheme(ExchangeScheme scheme);
    /** Get the arithmetic of the flow's calls (default DoublePrecisionFlow). */
    FlowPrecision getFlowPrecision() const;
    /**
     * Set the arithmetic of the flow's calls. A change takes effect at the next step: the bank of prior proposals is
     * drawn again and every replica's latent point recomputed, with the new arithmetic.
     */
    void setFlowPrecision(FlowPrecision precision);
    /** Get the number of initial steps during which sigma is tuned (0: no tuning). */
    int getAdaptationSteps() const;
    /** Set the number of initial steps during which sigma is tuned (0: no tuning). */
    void setAdaptationSteps(int steps);
    /** Get the random-walk acceptance rate that tuning aims at. */
    double getTargetAcceptance() const;
    /** Set the random-walk acceptance rate, in (0, 1), that tuning aims at. */
    void setTargetAcceptance(double acceptance);
    /** Get the random number seed (0: a different seed for every Context). */
    int getRandomNumberSeed() const;
    /** Set the random number seed. The same seed gives the same run on the same platform; 0 picks one. */
    void setRandomNumberSeed(int seed);
    /** Get the System index of the TSFForce to use (-1: the System's only TSFForce). */
    int getForceIndex() const;
    /** Set the System index of the TSFForce to use (-1: the System's only TSFForce). */
    void setForceIndex(int index);
    /** Advance every replica by a number of Monte Carlo steps. */
    void step(int steps) override;
    /**
     * Get a State of one replica, as Context::getState() would for replica 0. A State of positions only (without
     * enforcePeriodicBox) comes from the stored replica and leaves the Context untouched; any other goes through
     * the Context.
     *
     * @param replica             the replica (temperature index)
     * @param types               the union of State::DataType values to include
     * @param enforcePeriodicBox  as in Context::getState()
     * @param groups              the force groups whose energy and forces to include
     */
    OpenMM::State getState(int replica, int types, bool enforcePeriodicBox = false, int groups = 0xFFFFFFFF);
    /** Set the positions (nm) of one replica, for every particle of the System. */
    void setPositions(int replica, const std::vector<OpenMM::Vec3>& positions);
    /**
     * Get each replica's potential energy (kJ/mol) of the integration force groups: the energies that the moves
     * and exchanges use, as after the last step (recomputed if the System or its parameters changed since). With
     * the replicas' temperatures they are what MBAR needs; reading them costs no energy evaluation.
     */
    std::vector<double> getPotentialEnergies();
    /** Get the walker (the configuration's identity, followed through exchanges) at each replica. */
    std::vector<int> getWalkers() const;
    /** Get how many moves of a type a replica attempted. */
    long long getNumMovesAttempted(int replica, MoveType type) const;
    /** Get how many moves of a type a replica accepted. */
    long long getNumMovesAccepted(int replica, MoveType type) const;
    /** Get how many of a replica's proposals had internal coordinates out of range (all rejected). */
    long long getNumOutOfRange(int replica) const;
    /** Get how many of a replica's proposals had a non-finite energy (all rejected). */
    long long getNumNonFinite(int replica) const;
    /** Get how many exchanges were attempted between two replicas. */
    long long getNumExchangesAttempted(int replica1, int replica2) const;
    /** Get how many exchanges were accepted between two replicas. */
    long long getNumExchangesAccepted(int replica1, int replica2) const;
    /** Get how many round trips (lowest -> highest -> lowest temperature) a walker completed. */
    long long getNumRoundTrips(int walker) const;
    /** Get the wall-clock seconds spent in one part of the steps since the statistics were last reset. */
    double getSecondsSpent(StepPart part) const;
    /** Set every count and time to zero. */
    void resetStatistics();
protected:
    void initialize(OpenMM::ContextImpl& context) override;
    void cleanup() override;
    std::vector<std::string> getKernelNames() override;
    void stateChanged(OpenMM::State::DataType changed) override;
    double computeKineticEnergy() override;
    bool kineticEnergyRequiresForce() const override {
        return false;
    }
    void createCheckpoint(std::ostream& stream) const override;
    void loadCheckpoint(std::istream& stream) override;
private:
    void checkReplica(int replica) const;
    static void checkTemperatures(const std::vector<double>& temperatures);
    IntegrateTSFStepKernel& getKernel() const;
    std::vector<double> temperatures, latentStepSizes;
    double priorMoveProbability, targetAcceptance;
    int proposalsPerFlowCall, exchangeInterval, adaptationSteps, randomNumberSeed, forceIndex;
    ExchangeScheme exchangeScheme;
    FlowPrecision flowPrecision;
    OpenMM::Kernel kernel;
    /** Whether `kernel` holds an initialized kernel (from initialize() to cleanup()), which then holds the step sizes. */
    bool kernelCreated = false;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_INTEGRATOR_H_*/
