// SPDX-License-Identifier: MIT
/*
 * TSFIntegrator sampling on every platform under test (TestPlatforms.h): exact sampling (random-walk moves, prior moves,
 * replica exchange, float32 flows, and a flow that is not volume preserving), exchange statistics, energies that follow
 * changes of the Context, and agreement between platforms on a fixed-seed trajectory.
 */
#include "TestIntegrators.h"
#include "openmmtsf/InternalCoordinateTransform.h"
#include "openmm/Context.h"
#include "openmm/CustomBondForce.h"
#include "openmm/CustomTorsionForce.h"
#include "openmm/HarmonicAngleForce.h"
#include "openmm/HarmonicBondForce.h"
#include "openmm/NonbondedForce.h"
#include "openmm/OpenMMException.h"
#include "TestAssertions.h"
#include <gtest/gtest.h>
#include <cmath>
#include <functional>

using namespace TSFPlugin;
using namespace TSFTest;
using OpenMM::OpenMMException;
using OpenMM::State;
using OpenMM::Vec3;
using std::vector;

namespace {

const double KB = BOLTZMANN_KJ_PER_MOL_K;

struct SamplingRun {
    vector<double> temperatures;
    bool constantJacobian = true, temperatureConditioned = false;
    double priorProbability = 0.0;
    int steps = 20000, seed = 1234, proposalsPerFlowCall = 64, exchangeInterval = 1;
    /** Whether to leave the move mix, K, the exchange interval and adaptation at the integrator's defaults. */
    bool integratorDefaults = false;
    /** Whether the flow runs as a float32 copy of the model (TSFIntegrator::SinglePrecisionFlow). */
    bool singlePrecisionFlow = false;
};

/** Sample the bonded chain with a TSFIntegrator and check the exact marginals of every replica. */
void checkExactness(const SamplingRun& run, const std::string& platform, const std::string& label) {
    const BondedChain chain;
    std::unique_ptr<OpenMM::System> system = chain.createSystem();
    const std::string flow = run.temperatureConditioned ? conditionedChainFlow() : chainFlow(run.constantJacobian);
    system->addForce(new TSFForce(flow, chain.zMatrix(), TSFForce::ModelBytes));
    TSFIntegrator integrator(run.temperatures);
    integrator.setLatentStepSize(0.5);
    if (run.integratorDefaults)
        EXPECT_EQ(run.priorProbability, integrator.getPriorMoveProbability());
    else {
        integrator.setPriorMoveProbability(run.priorProbability);
        integrator.setProposalsPerFlowCall(run.proposalsPerFlowCall);
        integrator.setExchangeInterval(run.exchangeInterval);
        integrator.setAdaptationSteps(run.priorProbability < 1.0 ? 500 : 0);
    }
    if (run.singlePrecisionFlow)
        integrator.setFlowPrecision(TSFIntegrator::SinglePrecisionFlow);
    integrator.setRandomNumberSeed(run.seed);
    OpenMM::Context context(*system, integrator, platformOf(platform), propertiesOf(platform));
    context.setPositions(chain.positions());
    integrator.step(1000);
    const int numReplicas = run.temperatures.size();
    vector<vector<vector<Vec3> > > configurations(numReplicas);
    for (int s = 0; s < run.steps; s++) {
        integrator.step(1);
        for (int r = 0; r < numReplicas; r++)
            configurations[r].push_back(integrator.getState(r, State::Positions).getPositions());
    }
    for (int r = 0; r < numReplicas; r++) {
        Marginals samples;
        addSamples(chain, configurations[r], samples);
        expectExactMarginals(chain, samples, run.temperatures[r], label);
        const int type = run.priorProbability < 1.0 ? TSFIntegrator::RandomWalkMove : TSFIntegrator::PriorMove;
        EXPECT_GT(integrator.getNumMovesAccepted(r, (TSFIntegrator::MoveType) type), 0.05 * integrator.getNumMovesAttempted(r, (TSFIntegrator::MoveType) type))
                << label << ": the chain must actually move";
    }
}

} // namespace

TEST_P(TSFIntegratorTest, RandomWalkMovesAreExactAtTwoTemperatures) {
    for (double temperature : {300.0, 600.0}) {
        SamplingRun run;
        run.temperatures = {temperature};
        checkExactness(run, GetParam(), "random walk");
    }
}

TEST_P(TSFIntegratorTest, PriorMovesAreExactAtTwoTemperatures) {
    for (double temperature : {300.0, 600.0}) {
        SamplingRun run;
        run.temperatures = {temperature};
        run.priorProbability = 1.0;
        checkExactness(run, GetParam(), "prior moves");
    }
}

TEST_P(TSFIntegratorTest, ReplicaExchangeWithMixedMovesIsExact) {
    SamplingRun run;
    run.temperatures = TSFIntegrator::geometricTemperatures(300.0, 600.0, 4);
    run.priorProbability = 0.2;
    run.steps = 15000;
    checkExactness(run, GetParam(), "replica exchange");
}

TEST_P(TSFIntegratorTest, DefaultSettingsAreExact) {
    // Prior moves from banks of proposals and exchanges every few steps over a ladder, as a user gets them.
    SamplingRun run;
    run.temperatures = TSFIntegrator::geometricTemperatures(300.0, 600.0, 4);
    run.temperatureConditioned = true;
    run.integratorDefaults = true;
    run.priorProbability = 1.0;
    run.steps = 10000;
    checkExactness(run, GetParam(), "the integrator's defaults");
}

TEST_P(TSFIntegratorTest, SinglePrecisionFlowIsExact) {
    // Random-walk and prior moves with a float32 copy of a conditioned flow, with exchanges, over a ladder.
    SamplingRun run;
    run.temperatures = {300.0, 420.0, 600.0};
    run.temperatureConditioned = true;
    run.priorProbability = 0.5;
    run.singlePrecisionFlow = true;
    run.steps = 6000;  // the error bars come from batch means, so a shorter run stays a valid test at less CI time
    checkExactness(run, GetParam(), "single-precision flow");
}

TEST_P(TSFIntegratorTest, SinglePrecisionFlowFollowsTheDoubleChain) {
    // With the same seed, a float32 copy of the flow proposes what the float64 flow proposes to float32 rounding, so
    // the chains make the same decisions and stay within rounding of each other. (A decision flips only where the
    // acceptance probability lies within about 1e-6 of its uniform draw; these seeds' runs have none.)
    vector<vector<Vec3> > chains[2];
    long long accepted[2][2];
    for (int single = 0; single < 2; single++) {
        const BondedChain chain;
        std::unique_ptr<OpenMM::System> system = chain.createSystem();
        system->addForce(new TSFForce(conditionedChainFlow(), chain.zMatrix(), TSFForce::ModelBytes));
        TSFIntegrator integrator({300.0, 450.0, 600.0});
        integrator.setPriorMoveProbability(0.5);
        integrator.setLatentStepSize(0.5);
        integrator.setExchangeInterval(1);
        integrator.setRandomNumberSeed(21);
        integrator.setFlowPrecision(single ? TSFIntegrator::SinglePrecisionFlow : TSFIntegrator::DoublePrecisionFlow);
        OpenMM::Context context(*system, integrator, platformOf(GetParam()), propertiesOf(GetParam()));
        context.setPositions(chain.positions());
        integrator.step(100);
        for (int r = 0; r < 3; r++)
            chains[single].push_back(integrator.getState(r, State::Positions).getPositions());
        for (int type : {TSFIntegrator::RandomWalkMove, TSFIntegrator::PriorMove}) {
            accepted[single][type] = integrator.getNumMovesAccepted(0, (TSFIntegrator::MoveType) type);
            EXPECT_GT(accepted[single][type], 2) << "the chain must move";
        }
    }
    for (int type : {TSFIntegrator::RandomWalkMove, TSFIntegrator::PriorMove})
        EXPECT_EQ(accepted[0][type], accepted[1][type]) << "the same decisions";
    double largest = 0.0;
    for (int r = 0; r < 3; r++) {
        EXPECT_LE(maxDistance(chains[0][r], chains[1][r]), 1e-5) << "replica " << r;
        largest = std::max(largest, maxDistance(chains[0][r], chains[1][r]));
    }
    if (isDoublePrecision())
        EXPECT_GT(largest, 0.0) << "the float32 flow must round differently from the float64 one";
}

TEST_P(TSFIntegratorTest, BatchedPriorProposalsAreExactForEveryBankSize) {
    // K prior proposals per flow call, in replica exchange: a flow with momenta (whose latent points are recomputed
    // after an accepted exchange) and one without (whose latent points travel with the configurations).
    struct Case {
        int proposalsPerFlowCall;
        bool withMomenta;
        double priorProbability;
    };
    for (const Case& c : {Case{1, true, 0.5}, Case{8, false, 0.5}, Case{64, true, 1.0}, Case{64, false, 1.0}}) {
        SamplingRun run;
        run.temperatures = {300.0, 420.0, 600.0};
        run.proposalsPerFlowCall = c.proposalsPerFlowCall;
        run.constantJacobian = c.withMomenta;
        run.priorProbability = c.priorProbability;
        run.steps = 10000;
        checkExactness(run, GetParam(), "K = " + std::to_string(c.proposalsPerFlowCall) + (c.withMomenta ? ", momenta" : ", no momenta") +
                ", prior-move probability " + std::to_string(c.priorProbability));
    }
}

TEST_P(TSFIntegratorTest, TemperatureConditionedFlowIsExactAtEveryTemperature) {
    for (double priorProbability : {0.0, 1.0}) {
        SamplingRun run;
        run.temperatures = {300.0, 450.0, 600.0};
        run.temperatureConditioned = true;
        run.priorProbability = priorProbability;
        run.steps = 15000;
        checkExactness(run, GetParam(), priorProbability == 0.0 ? "conditioned flow, random walk" : "conditioned flow, prior moves");
    }
}

TEST_P(TSFIntegratorTest, FlowWithAVaryingJacobianIsExact) {
    for (double temperature : {300.0, 600.0}) {
        SamplingRun run;
        run.temperatures = {temperature};
        run.constantJacobian = false;
        run.priorProbability = 0.3;
        checkExactness(run, GetParam(), "sinh flow");
    }
}

namespace {


/**
 * With every energy zero, every exchange is accepted and walker 0 must spend equal time at each temperature:
 * a chi^2 test of its occupancy (3 degrees of freedom; P(chi^2 > 16.27) = 0.001).
 */
void expectUniformOccupancyWithZeroEnergies(TSFIntegrator::ExchangeScheme scheme, const std::string& platform) {
    const BondedChain chain;
    OpenMM::System system;
    for (int i = 0; i < 4; i++)
        system.addParticle(12.0);
    system.addForce(new TSFForce(chainFlow(true), chain.zMatrix(), TSFForce::ModelBytes));
    TSFIntegrator integrator({300.0, 400.0, 500.0, 600.0});
    useRandomWalkMovesAndExchangesEveryStep(integrator);
    integrator.setExchangeScheme(scheme);
    integrator.setLatentStepSize(0.01);
    integrator.setRandomNumberSeed(99);
    OpenMM::Context context(system, integrator, platformOf(platform), propertiesOf(platform));
    context.setPositions(chain.positions());
    const int numReplicas = integrator.getNumReplicas(), steps = 2000;
    vector<int> occupancy(numReplicas, 0);
    for (int s = 0; s < steps; s++) {
        integrator.step(1);
        const vector<int> walkers = integrator.getWalkers();
        for (int r = 0; r < numReplicas; r++)
            if (walkers[r] == 0)
                occupancy[r]++;
    }
    double chiSquare = 0.0;
    for (int count : occupancy)
        chiSquare += std::pow(count - steps / (double) numReplicas, 2) / (steps / (double) numReplicas);
    EXPECT_LT(chiSquare, 16.27) << "scheme " << scheme;
    for (int i = 0; i < numReplicas; i++)
        for (int j = 0; j < numReplicas; j++)
            EXPECT_EQ(integrator.getNumExchangesAttempted(i, j), integrator.getNumExchangesAccepted(i, j));
    EXPECT_GT(integrator.getNumExchangesAttempted(0, 1), 0);
    long long roundTrips = 0;
    for (int w = 0; w < numReplicas; w++)
        roundTrips += integrator.getNumRoundTrips(w);
    EXPECT_GT(roundTrips, 100) << "walkers that always swap must travel the whole ladder";
}

} // namespace

TEST_P(TSFIntegratorTest, ZeroEnergiesGiveUniformTemperatureOccupancy) {
    expectUniformOccupancyWithZeroEnergies(TSFIntegrator::NeighborExchange, GetParam());
    expectUniformOccupancyWithZeroEnergies(TSFIntegrator::AllPairsExchange, GetParam());
}

TEST_P(TSFIntegratorTest, HarmonicTorsionsGiveEquipartitionAtBothTemperatures) {
    // A five-atom chain: stiff bonds and angles in force group 0, two harmonic torsions in group 1, so the
    // torsion energy alone obeys <U> = (2/2) kT at each temperature.
    OpenMM::System system;
    for (int i = 0; i < 5; i++)
        system.addParticle(12.0);
    auto* bonds = new OpenMM::HarmonicBondForce();
    auto* angles = new OpenMM::HarmonicAngleForce();
    for (int i = 0; i < 4; i++)
        bonds->addBond(i, i + 1, 0.15, 30000.0);
    for (int i = 0; i < 3; i++)
        angles->addAngle(i, i + 1, i + 2, 1.9, 300.0);
    system.addForce(bonds);
    system.addForce(angles);
    auto* torsions = new OpenMM::CustomTorsionForce("0.5*k*d^2; d = min(abs(theta-theta0), 2*pi-abs(theta-theta0)); pi = 3.141592653589793");
    torsions->addPerTorsionParameter("theta0");
    torsions->addGlobalParameter("k", 150.0);
    torsions->addTorsion(0, 1, 2, 3, {1.0});
    torsions->addTorsion(1, 2, 3, 4, {-2.0});
    torsions->setForceGroup(1);
    system.addForce(torsions);
    InternalCoordinates z;
    for (int i = 0; i < 5; i++)
        z.addAtom(i, i > 0 ? i - 1 : -1, i > 1 ? i - 2 : -1, i > 2 ? i - 3 : -1);
    const vector<double> mean{0.15, 0.15, 0.15, 0.15, 1.9, 1.9, 1.9, 1.0, -2.0};
    const vector<double> scale{0.009, 0.009, 0.009, 0.009, 0.09, 0.09, 0.09, 0.13, 0.13};
    vector<double> logScale;
    for (double s : scale)
        logScale.push_back(std::log(s));
    system.addForce(new TSFForce(miniatureTSF(mean, logScale, 300.0), z, TSFForce::ModelBytes));
    TSFIntegrator integrator({300.0, 600.0});
    useRandomWalkMovesAndExchangesEveryStep(integrator);
    integrator.setLatentStepSize(0.5);
    integrator.setPriorMoveProbability(0.1);
    integrator.setAdaptationSteps(500);
    integrator.setRandomNumberSeed(5);
    OpenMM::Context context(system, integrator, platformOf(GetParam()), propertiesOf(GetParam()));
    InternalCoordinateTransform transform(z, OpenMM::Platform::getPlatformByName("Reference"));
    vector<double> x, logDet, frame{0, 0, 0, 0.15, 0, 0, 0.2, 0.14, 0};
    vector<int> outOfRange;
    transform.inverse(mean, frame, x, logDet, outOfRange);
    vector<Vec3> start;
    for (int i = 0; i < 5; i++)
        start.push_back(Vec3(x[3 * i], x[3 * i + 1], x[3 * i + 2]));
    context.setPositions(start);
    integrator.step(1000);
    vector<vector<double> > torsionEnergy(2);
    for (int s = 0; s < 20000; s++) {
        integrator.step(1);
        for (int r = 0; r < 2; r++)
            torsionEnergy[r].push_back(integrator.getState(r, State::Energy, false, 1 << 1).getPotentialEnergy());
    }
    for (int r = 0; r < 2; r++) {
        double mean, error;
        batchMean(torsionEnergy[r], 25, mean, error);
        const double kT = KB * integrator.getTemperatures()[r];
        EXPECT_LT(std::fabs(mean - kT), 4.5 * error) << "replica " << r << ": <U> = " << mean << " +- " << error << ", kT = " << kT;
        EXPECT_LT(error, 0.1 * kT) << "the error bar must be small enough to mean something";
    }
    EXPECT_GT(integrator.getNumExchangesAccepted(0, 1), 100);
}

TEST_P(TSFIntegratorTest, ParticlesOutsideTheMoleculeStayAndTheirEnergyCounts) {
    const BondedChain chain;
    std::unique_ptr<OpenMM::System> system = chainSystemWithFlow(chain);
    const int anchor = system->addParticle(0.0);  // outside the Z-matrix
    auto* restraint = new OpenMM::HarmonicBondForce();
    restraint->addBond(anchor, 3, 0.2, 2000.0);
    system->addForce(restraint);
    TSFIntegrator integrator(300.0);
    useRandomWalkMovesAndExchangesEveryStep(integrator);
    integrator.setLatentStepSize(0.5);
    integrator.setRandomNumberSeed(17);
    OpenMM::Context context(*system, integrator, platformOf(GetParam()), propertiesOf(GetParam()));
    vector<Vec3> positions = chain.positions();
    const Vec3 anchorPosition(0.3, 0.3, 0.2);
    positions.push_back(anchorPosition);
    context.setPositions(positions);
    vector<double> distances;
    for (int s = 0; s < 4000; s++) {
        integrator.step(1);
        const vector<Vec3> p = context.getState(State::Positions).getPositions();
        ASSERT_LE(maxDistance({anchorPosition}, {p[anchor]}), positionTolerance());
        const Vec3 d = p[3] - p[anchor];
        distances.push_back(std::sqrt(d.dot(d)));
    }
    double mean, error;
    batchMean(distances, 20, mean, error);
    // The restraint's spread is sqrt(kT/k) = 0.035 nm: the anchor holds atom 3 near 0.2 nm.
    EXPECT_LT(std::fabs(mean - 0.2), 0.03);
    EXPECT_GT(integrator.getNumMovesAccepted(0, TSFIntegrator::RandomWalkMove), 100);
}

TEST_P(TSFIntegratorTest, PeriodicWrappingNeverShowsInReplicaPositions) {
    // A periodic System with a cutoff, and a particle outside the box: GPU platforms store it wrapped and record
    // the cell offset; every replica must still report it where it was put.
    const BondedChain chain;
    std::unique_ptr<OpenMM::System> system = chainSystemWithFlow(chain);
    const int probe = system->addParticle(12.0);
    system->setDefaultPeriodicBoxVectors(Vec3(3, 0, 0), Vec3(0, 3, 0), Vec3(0, 0, 3));
    auto* nonbonded = new OpenMM::NonbondedForce();
    nonbonded->setNonbondedMethod(OpenMM::NonbondedForce::CutoffPeriodic);
    nonbonded->setCutoffDistance(1.0);
    for (int i = 0; i < system->getNumParticles(); i++)
        nonbonded->addParticle(0.0, 0.3, i == probe ? 0.1 : 0.0);
    system->addForce(nonbonded);
    TSFIntegrator integrator({300.0, 600.0});
    useRandomWalkMovesAndExchangesEveryStep(integrator);
    integrator.setRandomNumberSeed(6);
    integrator.setLatentStepSize(0.5);
    OpenMM::Context context(*system, integrator, platformOf(GetParam()), propertiesOf(GetParam()));
    vector<Vec3> positions = chain.positions();
    const Vec3 probePosition(7.3, 0.5, -0.4);
    positions.push_back(probePosition);
    context.setPositions(positions);
    integrator.step(30);
    for (int r = 0; r < 2; r++) {
        const vector<Vec3> replica = integrator.getState(r, State::Positions).getPositions();
        EXPECT_LE(maxDistance({probePosition}, {replica[probe]}), 10 * positionTolerance() + 1e-12) << "replica " << r;
        const Vec3 bond = replica[1] - replica[0];
        EXPECT_LT(std::sqrt(bond.dot(bond)), 0.5) << "the molecule stays whole in replica " << r;
    }
    EXPECT_LE(maxDistance({probePosition}, {context.getState(State::Positions).getPositions()[probe]}), 10 * positionTolerance() + 1e-12);
    EXPECT_GT(integrator.getNumMovesAccepted(1, TSFIntegrator::RandomWalkMove), 3);
}

TEST_P(TSFIntegratorTest, ReplicaEnergiesAndPositionsMatchFullStates) {
    const BondedChain chain;
    std::unique_ptr<OpenMM::System> system = chainSystemWithFlow(chain);
    TSFIntegrator integrator({300.0, 450.0, 600.0});
    useRandomWalkMovesAndExchangesEveryStep(integrator);
    integrator.setRandomNumberSeed(5);
    OpenMM::Context context(*system, integrator, platformOf(GetParam()), propertiesOf(GetParam()));
    context.setPositions(chain.positions());
    integrator.step(30);
    const vector<double> energies = integrator.getPotentialEnergies();
    ASSERT_EQ(3u, energies.size());
    const double tolerance = isSinglePrecision(GetParam()) ? 1e-3 : 1e-6;
    for (int r = 0; r < 3; r++) {
        const State full = integrator.getState(r, State::Positions | State::Energy, false, integrator.getIntegrationForceGroups());
        EXPECT_NEAR(full.getPotentialEnergy(), energies[r], tolerance * std::max(1.0, std::abs(energies[r]))) << "replica " << r;
        EXPECT_LE(maxDistance(full.getPositions(), integrator.getState(r, State::Positions).getPositions()), positionTolerance())
                << "replica " << r << ": the stored replica against the Context's copy of it";
    }
    EXPECT_NE(energies[1], energies[2]) << "the replicas have moved apart";
}

TEST_P(TSFIntegratorTest, ContextHoldsReplicaZeroAndReplicasCanBeSet) {
    const BondedChain chain;
    std::unique_ptr<OpenMM::System> system = chainSystemWithFlow(chain);
    TSFIntegrator integrator({300.0, 450.0, 600.0});
    useRandomWalkMovesAndExchangesEveryStep(integrator);
    integrator.setRandomNumberSeed(3);
    OpenMM::Context context(*system, integrator, platformOf(GetParam()), propertiesOf(GetParam()));
    context.setPositions(chain.positions());
    integrator.step(20);
    EXPECT_LE(maxDistance(context.getState(State::Positions).getPositions(), integrator.getState(0, State::Positions).getPositions()),
            positionTolerance());
    vector<Vec3> moved = chain.positions();
    for (Vec3& p : moved)
        p += Vec3(1.0, 2.0, 3.0);
    integrator.setPositions(2, moved);
    EXPECT_LE(maxDistance(moved, integrator.getState(2, State::Positions).getPositions()), 4 * positionTolerance());
    const double energy = integrator.getState(2, State::Energy).getPotentialEnergy();
    context.setPositions(moved);
    EXPECT_NEAR(energy, context.getState(State::Energy).getPotentialEnergy(), isSinglePrecision(GetParam()) ? 1e-3 : 1e-6);
    context.setPositions(chain.positions());
    EXPECT_LE(maxDistance(chain.positions(), integrator.getState(0, State::Positions).getPositions()), positionTolerance())
            << "Context positions become replica 0";
    integrator.step(1);
    const std::vector<int> walkers = integrator.getWalkers();
    EXPECT_EQ(3u, walkers.size());
    EXPECT_NEAR(300.0, integrator.getTemperature(), 0.0);
    const double kinetic = context.getState(State::Energy).getKineticEnergy();
    EXPECT_GT(kinetic, 0.0) << "velocities are drawn at temperatures[0] after each step";
}

TEST_P(TSFIntegratorTest, SameSeedSameTrajectory) {
    const BondedChain chain;
    vector<vector<Vec3> > finals;
    for (int seed : {11, 11, 12}) {
        std::unique_ptr<OpenMM::System> system = chainSystemWithFlow(chain);
        TSFIntegrator integrator({300.0, 600.0});
        useRandomWalkMovesAndExchangesEveryStep(integrator);
        integrator.setRandomNumberSeed(seed);
        integrator.setPriorMoveProbability(0.2);
        OpenMM::Context context(*system, integrator, platformOf(GetParam()), propertiesOf(GetParam()));
        context.setPositions(chain.positions());
        integrator.step(200);
        finals.push_back(integrator.getState(1, State::Positions).getPositions());
    }
    EXPECT_EQ(finals[0], finals[1]);
    EXPECT_NE(finals[0], finals[2]);
}

namespace {

/**
 * The chain plus an end-to-end term, lambda * k * r^2, in force group 1: with lambda = 0, k = 0 or group 1 left
 * out of the integration groups, the energies are the chain's. With lambda = -1 it lowers every energy by about
 * 450 kJ/mol: a replica whose cached energy kept it after a change would reject every move.
 */
std::unique_ptr<OpenMM::System> chainWithSpring(const BondedChain& chain, double lambda, double k) {
    std::unique_ptr<OpenMM::System> system = chainSystemWithFlow(chain);
    auto* spring = new OpenMM::CustomBondForce("lambda*k*r^2");
    spring->addGlobalParameter("lambda", lambda);
    spring->addPerBondParameter("k");
    spring->addBond(0, 3, {k});
    spring->setForceGroup(1);
    system->addForce(spring);
    return system;
}

/**
 * Every replica's positions after 200 steps (3 replicas, fixed seed), where the replicas and their energies are
 * set up first (getState) and then `change` is applied to the Context.
 */
vector<vector<Vec3> > runAfter(OpenMM::System& system, int groups, const std::string& platform,
        const std::function<void(OpenMM::Context&, TSFIntegrator&)>& change) {
    const BondedChain chain;
    TSFIntegrator integrator({300.0, 400.0, 600.0});
    useRandomWalkMovesAndExchangesEveryStep(integrator);
    integrator.setRandomNumberSeed(5);
    integrator.setPriorMoveProbability(0.2);
    integrator.setIntegrationForceGroups(groups);
    OpenMM::Context context(system, integrator, platformOf(platform), propertiesOf(platform));
    context.setPositions(chain.positions());
    integrator.getState(1, State::Positions);
    change(context, integrator);
    integrator.step(200);
    vector<vector<Vec3> > replicas;
    for (int r = 0; r < 3; r++)
        replicas.push_back(integrator.getState(r, State::Positions).getPositions());
    return replicas;
}

} // namespace

TEST_P(TSFIntegratorTest, EnergiesFollowParameterAndForceGroupChanges) {
    const BondedChain chain;
    auto unchanged = [](OpenMM::Context&, TSFIntegrator&) {};
    std::unique_ptr<OpenMM::System> chainOnly = chainWithSpring(chain, 0.0, 5000.0);
    const vector<vector<Vec3> > expected = runAfter(*chainOnly, -1, GetParam(), unchanged);
    std::unique_ptr<OpenMM::System> withSpring = chainWithSpring(chain, -1.0, 5000.0);
    ASSERT_NE(runAfter(*withSpring, -1, GetParam(), unchanged), expected) << "the spring must change the chain";

    EXPECT_EQ(runAfter(*withSpring, -1, GetParam(), [](OpenMM::Context& context, TSFIntegrator&) {
        context.setParameter("lambda", 0.0);
    }), expected) << "Context::setParameter";
    EXPECT_EQ(runAfter(*withSpring, -1, GetParam(), [&](OpenMM::Context& context, TSFIntegrator&) {
        auto& spring = dynamic_cast<OpenMM::CustomBondForce&>(withSpring->getForce(withSpring->getNumForces() - 1));
        spring.setBondParameters(0, 0, 3, {0.0});
        spring.updateParametersInContext(context);
        spring.setBondParameters(0, 0, 3, {5000.0});
    }), expected) << "updateParametersInContext";
    EXPECT_EQ(runAfter(*withSpring, -1, GetParam(), [](OpenMM::Context&, TSFIntegrator& integrator) {
        integrator.setIntegrationForceGroups(1 << 0);
    }), runAfter(*withSpring, 1 << 0, GetParam(), unchanged)) << "setIntegrationForceGroups";
}

TEST_P(TSFIntegratorTest, ChunkingARunChangesNothing) {
    const BondedChain chain;
    vector<vector<vector<Vec3> > > replicas;
    for (int chunk : {10, 1}) {
        std::unique_ptr<OpenMM::System> system = chainSystemWithFlow(chain);
        TSFIntegrator integrator({300.0, 450.0, 600.0});
        useRandomWalkMovesAndExchangesEveryStep(integrator);
        integrator.setRandomNumberSeed(8);
        integrator.setPriorMoveProbability(0.3);
        OpenMM::Context context(*system, integrator, platformOf(GetParam()), propertiesOf(GetParam()));
        context.setPositions(chain.positions());
        for (int s = 0; s < 40; s += chunk)
            integrator.step(chunk);
        replicas.emplace_back();
        for (int r = 0; r < 3; r++)
            replicas.back().push_back(integrator.getState(r, State::Positions).getPositions());
    }
    EXPECT_EQ(replicas[0], replicas[1]) << "step(10) four times and step(1) forty times must give the same chain";
}

TEST_P(TSFIntegratorTest, AgreesWithReferenceOnAFixedSeedTrajectory) {
    // Every random number is drawn on the host in the same order on every platform, so a platform follows the
    // Reference trajectory to within its precision (as long as no Metropolis decision falls within rounding).
    const BondedChain chain;
    vector<vector<vector<Vec3> > > replicas;
    vector<long long> accepted;
    for (const std::string& key : {std::string("Reference"), GetParam()}) {
        std::unique_ptr<OpenMM::System> system = chainSystemWithFlow(chain);
        TSFIntegrator integrator({300.0, 400.0, 600.0});
        useRandomWalkMovesAndExchangesEveryStep(integrator);
        integrator.setRandomNumberSeed(8);
        integrator.setLatentStepSize(0.5);
        integrator.setPriorMoveProbability(0.2);
        OpenMM::Context context(*system, integrator, platformOf(key), propertiesOf(key));
        context.setPositions(chain.positions());
        integrator.step(40);
        replicas.emplace_back();
        for (int r = 0; r < 3; r++)
            replicas.back().push_back(integrator.getState(r, State::Positions).getPositions());
        accepted.push_back(integrator.getNumMovesAccepted(0, TSFIntegrator::RandomWalkMove) + integrator.getNumExchangesAccepted(0, 1));
    }
    EXPECT_EQ(accepted[0], accepted[1]);
    EXPECT_GT(accepted[0], 5) << "the trajectory must move for the comparison to mean something";
    const double tolerance = isDoublePrecision() ? 1e-9 : isSinglePrecision(GetParam()) ? 1e-4 : 1e-6;
    for (int r = 0; r < 3; r++)
        EXPECT_LE(maxDistance(replicas[0][r], replicas[1][r]), tolerance) << "replica " << r;
}

TEST_P(TSFIntegratorTest, NonFiniteEnergiesAreRejectedAndCounted) {
    const BondedChain chain;
    std::unique_ptr<OpenMM::System> system = chainSystemWithFlow(chain);
    // log(0.1515 - r) is NaN for a first bond longer than 0.1515 nm: such proposals must never be accepted.
    auto* wall = new OpenMM::CustomBondForce("log(0.1515 - r)");
    wall->addBond(0, 1);
    system->addForce(wall);
    TSFIntegrator integrator(300.0);
    useRandomWalkMovesAndExchangesEveryStep(integrator);
    integrator.setLatentStepSize(0.5);
    integrator.setRandomNumberSeed(8);
    OpenMM::Context context(*system, integrator, platformOf(GetParam()), propertiesOf(GetParam()));
    vector<Vec3> start = chain.positions();
    start[1] = Vec3(0.145, 0, 0);
    context.setPositions(start);
    for (int s = 0; s < 500; s++) {
        integrator.step(1);
        const Vec3 bond = integrator.getState(0, State::Positions).getPositions()[1] - integrator.getState(0, State::Positions).getPositions()[0];
        ASSERT_LT(std::sqrt(bond.dot(bond)), 0.1515);
    }
    EXPECT_GT(integrator.getNumNonFinite(0), 50);
    EXPECT_GT(integrator.getNumMovesAccepted(0, TSFIntegrator::RandomWalkMove), 20);
}

INSTANTIATE_TEST_SUITE_P(Platforms, TSFIntegratorTest, ::testing::ValuesIn(platformsUnderTest()));
