/*
 * TSFIntegrator on every ReferencePlatform: exact sampling (random-walk moves, prior moves, replica exchange,
 * and a flow that is not volume preserving), exchange statistics, and bad input.
 */
#include "TestModels.h"
#include "TestSystems.h"
#include "openmmtsf/InternalCoordinateTransform.h"
#include "openmmtsf/TSFForce.h"
#include "openmmtsf/TSFIntegrator.h"
#include "openmm/Context.h"
#include "openmm/CustomTorsionForce.h"
#include "openmm/HarmonicAngleForce.h"
#include "openmm/HarmonicBondForce.h"
#include "openmm/OpenMMException.h"
#include "openmm/VerletIntegrator.h"
#include <gtest/gtest.h>
#include <cmath>

using namespace TSFPlugin;
using namespace TSFTest;
using OpenMM::OpenMMException;
using OpenMM::State;
using OpenMM::Vec3;
using std::vector;

namespace {

#define EXPECT_THROW_WITH(statement, fragment) \
    try { \
        statement; \
        ADD_FAILURE() << "no exception from " #statement; \
    } catch (const OpenMMException& e) { \
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << "message: " << e.what(); \
    }

const double KB = 1.380649e-23 * 6.02214076e23 / 1000.0;

/** A flow for the bonded chain, roughly matched to its distribution at 300 K: a miniature TSF, or a sinh flow. */
std::string chainFlow(bool constantJacobian) {
    const vector<double> mean{0.15, 0.15, 0.15, 1.9, 1.9, 0.0};
    const vector<double> scale{0.009, 0.009, 0.009, 0.09, 0.09, 1.5};
    if (!constantJacobian)
        return sinhFlow(mean, scale, 300.0);
    vector<double> logScale;
    for (double s : scale)
        logScale.push_back(std::log(s));
    return miniatureTSF(mean, logScale, 300.0);
}

struct Marginals {
    vector<double> bond, bondSquare, angle, angleSquare, cosPhi, sinPhi, cos3Phi;
};

/** Collect per-step marginal observables of the chain's ICs from a series of configurations. */
void addSamples(const BondedChain& chain, const vector<vector<Vec3> >& configurations, Marginals& samples) {
    InternalCoordinateTransform transform(chain.zMatrix(), OpenMM::Platform::getPlatformByName("Reference"));
    vector<double> x;
    for (const auto& configuration : configurations)
        for (const Vec3& p : configuration)
            x.insert(x.end(), {p[0], p[1], p[2]});
    vector<double> ic, logDet;
    transform.forward(x, ic, logDet);
    for (size_t c = 0; c < configurations.size(); c++) {
        const double* q = &ic[6 * c];
        double b = 0, b2 = 0, a = 0, a2 = 0;
        for (int i = 0; i < 3; i++) {
            b += q[i] / 3;
            b2 += std::pow(q[i] - chain.bondLength, 2) / 3;
        }
        for (int i = 3; i < 5; i++) {
            a += q[i] / 2;
            a2 += std::pow(q[i] - chain.angle, 2) / 2;
        }
        samples.bond.push_back(b);
        samples.bondSquare.push_back(b2);
        samples.angle.push_back(a);
        samples.angleSquare.push_back(a2);
        samples.cosPhi.push_back(std::cos(q[5]));
        samples.sinPhi.push_back(std::sin(q[5]));
        samples.cos3Phi.push_back(std::cos(3 * q[5]));
    }
}

/** Check every observable against its exact expectation at temperature T, within 4.5 standard errors. */
void expectExactMarginals(const BondedChain& chain, const Marginals& samples, double temperature, const std::string& label) {
    const double beta = 1.0 / (KB * temperature);
    auto bondWeight = [&](double b) { return b * b * std::exp(-beta * 0.5 * chain.bondK * std::pow(b - chain.bondLength, 2)); };
    auto angleWeight = [&](double a) { return std::sin(a) * std::exp(-beta * 0.5 * chain.angleK * std::pow(a - chain.angle, 2)); };
    auto torsionWeight = [&](double phi) { return std::exp(-beta * chain.torsionEnergy(phi)); };
    const double bondRange = 12 * std::sqrt(1 / (beta * chain.bondK)), angleRange = 12 * std::sqrt(1 / (beta * chain.angleK));
    struct Check {
        const char* name;
        const vector<double>& series;
        double exact;
    } checks[] = {
        {"<b>", samples.bond, expectation(bondWeight, [](double b) { return b; }, chain.bondLength - bondRange, chain.bondLength + bondRange)},
        {"<(b-b0)^2>", samples.bondSquare, expectation(bondWeight, [&](double b) { return std::pow(b - chain.bondLength, 2); },
                chain.bondLength - bondRange, chain.bondLength + bondRange)},
        {"<theta>", samples.angle, expectation(angleWeight, [](double a) { return a; }, chain.angle - angleRange, chain.angle + angleRange)},
        {"<(theta-theta0)^2>", samples.angleSquare, expectation(angleWeight, [&](double a) { return std::pow(a - chain.angle, 2); },
                chain.angle - angleRange, chain.angle + angleRange)},
        {"<cos phi>", samples.cosPhi, expectation(torsionWeight, [](double p) { return std::cos(p); }, -M_PI, M_PI)},
        {"<sin phi>", samples.sinPhi, expectation(torsionWeight, [](double p) { return std::sin(p); }, -M_PI, M_PI)},
        {"<cos 3phi>", samples.cos3Phi, expectation(torsionWeight, [](double p) { return std::cos(3 * p); }, -M_PI, M_PI)},
    };
    for (const Check& check : checks) {
        double mean, error;
        batchMean(check.series, 25, mean, error);
        EXPECT_LT(std::fabs(mean - check.exact), 4.5 * error)
                << label << " at " << temperature << " K: " << check.name << " = " << mean << " +- " << error << ", exact " << check.exact;
    }
}

struct SamplingRun {
    vector<double> temperatures;
    bool constantJacobian = true;
    double priorProbability = 0.0;
    int steps = 20000, seed = 1234;
};

/** Sample the bonded chain with a TSFIntegrator and check the exact marginals of every replica. */
void checkExactness(const SamplingRun& run, const std::string& platform, const std::string& label) {
    const BondedChain chain;
    std::unique_ptr<OpenMM::System> system = chain.createSystem();
    system->addForce(new TSFForce(chainFlow(run.constantJacobian), chain.zMatrix(), TSFForce::ModelBytes));
    TSFIntegrator integrator(run.temperatures);
    integrator.setLatentStepSize(0.5);
    integrator.setPriorMoveProbability(run.priorProbability);
    integrator.setAdaptationSteps(run.priorProbability < 1.0 ? 500 : 0);
    integrator.setRandomNumberSeed(run.seed);
    OpenMM::Context context(*system, integrator, OpenMM::Platform::getPlatformByName(platform));
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

class TSFIntegratorTest : public ::testing::TestWithParam<std::string> {};

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

TEST_P(TSFIntegratorTest, FlowWithAVaryingJacobianIsExact) {
    for (double temperature : {300.0, 600.0}) {
        SamplingRun run;
        run.temperatures = {temperature};
        run.constantJacobian = false;
        run.priorProbability = 0.3;
        checkExactness(run, GetParam(), "sinh flow");
    }
}

INSTANTIATE_TEST_SUITE_P(ReferencePlatforms, TSFIntegratorTest, ::testing::Values("Reference", "CPU"));
