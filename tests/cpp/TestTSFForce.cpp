// SPDX-License-Identifier: MIT
/* TSFForce: model loading, the model contract, and XML serialization of a System and its integrator. */
#include "TestModels.h"
#include "TestPlatforms.h"
#include "TestSampling.h"
#include "TestSystems.h"
#include "openmmtsf/TSFForce.h"
#include "openmmtsf/TSFIntegrator.h"
#include "openmm/Context.h"
#include "openmm/LangevinMiddleIntegrator.h"
#include "openmm/VerletIntegrator.h"
#include "openmm/OpenMMException.h"
#include "openmm/serialization/XmlSerializer.h"
#include "TestAssertions.h"
#include <gtest/gtest.h>
#include <cmath>
#include <cstdio>
#include <fstream>

using namespace TSFPlugin;
using namespace TSFTest;
using OpenMM::OpenMMException;
using OpenMM::State;
using OpenMM::Vec3;
using std::vector;

namespace {

std::string chainModel() {
    return miniatureTSF({0.15, 0.15, 0.15, 1.9, 1.9, 0.0}, {-4.7, -4.7, -4.7, -2.4, -2.4, 0.4}, 300.0);
}

/** Create a Context on the chain with a model, to check what happens at Context creation. */
void createContext(const std::string& model, const InternalCoordinates& z) {
    const BondedChain chain;
    std::unique_ptr<OpenMM::System> system = chain.createSystem();
    system->addForce(new TSFForce(model, z, TSFForce::ModelBytes));
    TSFIntegrator integrator(300.0);
    OpenMM::Context context(*system, integrator, OpenMM::Platform::getPlatformByName("Reference"));
}

} // namespace

TEST(TSFForce, HoldsTheModelAndItsAttributes) {
    const BondedChain chain;
    const std::string bytes = chainModel();
    TSFForce force(bytes, chain.zMatrix(), TSFForce::ModelBytes);
    EXPECT_EQ(bytes, force.getModelBytes());
    EXPECT_EQ(300.0, force.getTrainingTemperature());
    EXPECT_EQ(6, force.getNumDimensions());
    EXPECT_EQ(6, force.getNumAuxiliary());
    EXPECT_EQ((vector<int>{0, 1, 2, 3}), force.getParticles());
    const std::string path = testing::TempDir() + "tsf_model.pt";
    std::ofstream(path, std::ios::binary) << bytes;
    TSFForce fromFile(path, chain.zMatrix());
    EXPECT_EQ(bytes, fromFile.getModelBytes());
    std::remove(path.c_str());
}

TEST(TSFForce, MissingOrCorruptModelsAreErrors) {
    const BondedChain chain;
    EXPECT_THROW_WITH(TSFForce("/nonexistent/model.pt", chain.zMatrix()), "Cannot read the TSF model file");
    std::string corrupt = chainModel();
    corrupt.resize(corrupt.size() / 2);
    EXPECT_THROW_WITH(TSFForce(corrupt, chain.zMatrix(), TSFForce::ModelBytes), "not a TorchScript module");
    EXPECT_THROW_WITH(TSFForce("not a model", chain.zMatrix(), TSFForce::ModelBytes), "not a TorchScript module");
    EXPECT_THROW_WITH(TSFForce(brokenFlow(BrokenModel::NoInverse, 6), chain.zMatrix(), TSFForce::ModelBytes), "no method 'inverse'");
    EXPECT_THROW_WITH(TSFForce(brokenFlow(BrokenModel::NoTrainingTemperature, 6), chain.zMatrix(), TSFForce::ModelBytes), "training_temperature");
    const vector<double> mean{0.15, 0.15, 0.15, 1.9, 1.9, 0.0}, logScale{-4.7, -4.7, -4.7, -2.4, -2.4, 0.4};
    for (double temperature : {(double) INFINITY, -300.0, 0.0})
        EXPECT_THROW_WITH(TSFForce(miniatureTSF(mean, logScale, temperature), chain.zMatrix(), TSFForce::ModelBytes),
                "training_temperature must be positive and finite");
}

TEST(TSFForce, TheContractIsCheckedWhenTheContextIsCreated) {
    const BondedChain chain;
    EXPECT_THROW_WITH(createContext(brokenFlow(BrokenModel::WrongLogDetShape, 6), chain.zMatrix()), "third (logdet) output");
    EXPECT_THROW_WITH(createContext(brokenFlow(BrokenModel::WrongMomentumShape, 6), chain.zMatrix()), "second output");
    EXPECT_THROW_WITH(createContext(brokenFlow(BrokenModel::WrongLogDetShape, 5), chain.zMatrix()), "n_dims = 5, but the Z-matrix has 6");
    // A failure inside the model names its cause, not only that the TorchScript interpreter failed.
    EXPECT_THROW_WITH(createContext(brokenFlow(BrokenModel::FailsInForward, 6), chain.zMatrix()),
            "forward() failed: RuntimeError: The size of tensor a (6) must match the size of tensor b (7)");
    InternalCoordinates tooFar = chain.zMatrix();
    tooFar.addAtom(9, 3, 2, 1);
    EXPECT_THROW_WITH(createContext(chainModel(), tooFar), "out of range");
}

TEST(TSFForce, SystemAndIntegratorRoundTripThroughXmlAndGiveTheSameTrajectory) {
    const BondedChain chain;
    std::unique_ptr<OpenMM::System> system = chain.createSystem();
    auto* force = new TSFForce(chainModel(), chain.zMatrix(), TSFForce::ModelBytes);
    force->setForceGroup(3);
    system->addForce(force);
    TSFIntegrator integrator({300.0, 450.0, 600.0});
    integrator.setLatentStepSize(1, 0.37);
    integrator.setPriorMoveProbability(0.25);
    integrator.setProposalsPerFlowCall(12);
    integrator.setExchangeInterval(3);
    integrator.setExchangeScheme(TSFIntegrator::AllPairsExchange);
    integrator.setAdaptationSteps(40);
    integrator.setTargetAcceptance(0.4);
    integrator.setRandomNumberSeed(77);
    EXPECT_EQ(1e-5, integrator.getConstraintTolerance()) << "OpenMM's default";
    integrator.setConstraintTolerance(2e-6);
    integrator.setFlowPrecision(TSFIntegrator::SinglePrecisionFlow);

    std::stringstream systemXml, integratorXml;
    OpenMM::XmlSerializer::serialize<OpenMM::System>(system.get(), "System", systemXml);
    OpenMM::XmlSerializer::serialize<OpenMM::Integrator>(&integrator, "Integrator", integratorXml);
    std::unique_ptr<OpenMM::System> system2(OpenMM::XmlSerializer::deserialize<OpenMM::System>(systemXml));
    std::unique_ptr<OpenMM::Integrator> restored(OpenMM::XmlSerializer::deserialize<OpenMM::Integrator>(integratorXml));
    auto& integrator2 = dynamic_cast<TSFIntegrator&>(*restored);
    const auto& force2 = dynamic_cast<const TSFForce&>(system2->getForce(system2->getNumForces() - 1));
    EXPECT_EQ(force->getModelBytes(), force2.getModelBytes());
    EXPECT_EQ(3, force2.getForceGroup());
    EXPECT_EQ(6, force2.getInternalCoordinates().getNumInternalCoordinates());
    EXPECT_EQ(integrator.getTemperatures(), integrator2.getTemperatures());
    EXPECT_EQ(0.37, integrator2.getLatentStepSize(1));
    EXPECT_EQ(0.25, integrator2.getPriorMoveProbability());
    EXPECT_EQ(12, integrator2.getProposalsPerFlowCall());
    EXPECT_EQ(2e-6, integrator2.getConstraintTolerance());
    EXPECT_EQ(TSFIntegrator::SinglePrecisionFlow, integrator2.getFlowPrecision());
    std::string version1 = integratorXml.str();
    for (const std::string added : {"proposalsPerFlowCall=\"12\"", "constraintTolerance=\"2e-06\"", "flowPrecision=\"1\""})
        version1.replace(version1.find(added), added.size(), "");
    version1.replace(version1.find("version=\"4\""), std::string("version=\"4\"").size(), "version=\"1\"");
    for (const std::string unknown : {"0", "5"}) {
        std::string bad = integratorXml.str();
        bad.replace(bad.find("version=\"4\""), std::string("version=\"4\"").size(), "version=\"" + unknown + "\"");
        std::stringstream badXml(bad);
        EXPECT_THROW_WITH(OpenMM::XmlSerializer::deserialize<OpenMM::Integrator>(badXml), "Unsupported version " + unknown + " of TSFIntegrator");
    }
    std::stringstream version1Xml(version1);
    std::unique_ptr<OpenMM::Integrator> old(OpenMM::XmlSerializer::deserialize<OpenMM::Integrator>(version1Xml));
    EXPECT_EQ(64, dynamic_cast<TSFIntegrator&>(*old).getProposalsPerFlowCall()) << "version 1 has the default";
    EXPECT_EQ(1e-5, old->getConstraintTolerance()) << "version 1 has the default";
    EXPECT_EQ(TSFIntegrator::DoublePrecisionFlow, dynamic_cast<TSFIntegrator&>(*old).getFlowPrecision()) << "version 1 has the default";
    for (const std::string tolerance : {"-1", "0", "nan"}) {
        std::string bad = integratorXml.str();
        const std::string stored = "constraintTolerance=\"2e-06\"";
        bad.replace(bad.find(stored), stored.size(), "constraintTolerance=\"" + tolerance + "\"");
        std::stringstream badXml(bad);
        EXPECT_THROW(OpenMM::XmlSerializer::deserialize<OpenMM::Integrator>(badXml), OpenMM::OpenMMException) << tolerance;
    }
    for (const std::string scheme : {"2", "-1", "1000"}) {  // an out-of-range enum value was undefined behaviour
        std::string bad = integratorXml.str();
        const std::string stored = "exchangeScheme=\"1\"";
        bad.replace(bad.find(stored), stored.size(), "exchangeScheme=\"" + scheme + "\"");
        std::stringstream badXml(bad);
        EXPECT_THROW_WITH(delete OpenMM::XmlSerializer::deserialize<OpenMM::Integrator>(badXml),
                "unknown exchange scheme " + scheme);
    }
    for (const std::string precision : {"2", "-1"}) {
        std::string bad = integratorXml.str();
        const std::string stored = "flowPrecision=\"1\"";
        bad.replace(bad.find(stored), stored.size(), "flowPrecision=\"" + precision + "\"");
        std::stringstream badXml(bad);
        EXPECT_THROW_WITH(delete OpenMM::XmlSerializer::deserialize<OpenMM::Integrator>(badXml),
                "unknown flow precision " + precision);
    }
    EXPECT_EQ(3, integrator2.getExchangeInterval());
    EXPECT_EQ(TSFIntegrator::AllPairsExchange, integrator2.getExchangeScheme());
    EXPECT_EQ(40, integrator2.getAdaptationSteps());
    EXPECT_EQ(0.4, integrator2.getTargetAcceptance());
    EXPECT_EQ(77, integrator2.getRandomNumberSeed());

    vector<vector<Vec3> > results;
    for (auto pair : {std::make_pair(system.get(), &integrator), std::make_pair(system2.get(), &integrator2)}) {
        OpenMM::Context context(*pair.first, *pair.second, OpenMM::Platform::getPlatformByName("Reference"));
        context.setPositions(chain.positions());
        pair.second->step(150);
        results.push_back(pair.second->getState(2, State::Positions).getPositions());
    }
    EXPECT_EQ(results[0], results[1]);
    EXPECT_NE(chain.positions(), results[0]);
}

TEST(TSFForce, MalformedXmlIsRejected) {
    const BondedChain chain;
    TSFForce force(chainModel(), chain.zMatrix(), TSFForce::ModelBytes);
    std::stringstream buffer;
    OpenMM::XmlSerializer::serialize<OpenMM::Force>(&force, "Force", buffer);
    const std::string xml = buffer.str();
    auto load = [](const std::string& text) {
        std::stringstream input(text);
        delete OpenMM::XmlSerializer::deserialize<OpenMM::Force>(input);
    };
    std::string badVersion = xml;
    badVersion.replace(badVersion.find("version=\"3\""), 11, "version=\"9\"");
    EXPECT_THROW_WITH(load(badVersion), "Unsupported version 9 of TSFForce");
    std::string versionZero = xml;
    versionZero.replace(versionZero.find("version=\"3\""), 11, "version=\"0\"");
    EXPECT_THROW_WITH(load(versionZero), "Unsupported version 0 of TSFForce");
    std::string badBase64 = xml;
    badBase64.replace(badBase64.find("model=\"") + 7, 4, "!@#$");
    EXPECT_THROW_WITH(load(badBase64), "Invalid base64");
    std::string truncatedModel = xml;
    const size_t start = truncatedModel.find("model=\"") + 7;
    truncatedModel.erase(start, (truncatedModel.find('"', start) - start) / 8 * 4);
    EXPECT_THROW_WITH(load(truncatedModel), "does not match its SHA-256");
    // Without the checksum (version 2), the archive check refuses the truncated model.
    std::string olderTruncated = truncatedModel;
    olderTruncated.replace(olderTruncated.find("version=\"3\""), 11, "version=\"2\"");
    EXPECT_THROW_WITH(load(olderTruncated), "Cannot load the TSF model");
}

namespace {

/** TSFForce tests that run on every platform under test (TestPlatforms.h). */
class TSFForcePlatformTest : public ::testing::TestWithParam<std::string> {};

/** MD of the chain: 2000 steps of equilibration, then `count` configurations 4 steps apart, as marginal samples. */
Marginals sampleMd(const BondedChain& chain, OpenMM::Context& context, OpenMM::Integrator& integrator, int count) {
    integrator.step(2000);
    vector<vector<Vec3> > configurations;
    for (int s = 0; s < count; s++) {
        integrator.step(4);
        configurations.push_back(context.getState(State::Positions).getPositions());
    }
    Marginals samples;
    addSamples(chain, configurations, samples);
    return samples;
}

} // namespace

TEST_P(TSFForcePlatformTest, MdWithFlowJumpsReproducesTheExactMarginals) {
    const BondedChain chain;
    std::unique_ptr<OpenMM::System> system = chain.createSystem();
    auto* force = new TSFForce(chainFlow(true), chain.zMatrix(), TSFForce::ModelBytes);
    // Jumps every other step, so that a biased jump would show through the MD between them.
    force->setFrequency(2);
    force->setJumpStepSize(0.5);
    force->setJumpPriorProbability(0.3);
    system->addForce(force);
    OpenMM::LangevinMiddleIntegrator integrator(300.0, 5.0, 0.001);
    integrator.setRandomNumberSeed(7);
    OpenMM::Context context(*system, integrator, platformOf(GetParam()), propertiesOf(GetParam()));
    context.setPositions(chain.positions());
    context.setVelocitiesToTemperature(300.0, 7);
    expectExactMarginals(chain, sampleMd(chain, context, integrator, 20000), 300.0, "MD with flow jumps");
    EXPECT_EQ((2000 + 80000) / 2, force->getNumJumpsAttempted(context));
    EXPECT_GT(force->getNumJumpsAccepted(context), 1000);
}

TEST_P(TSFForcePlatformTest, JumpsKeepTheWidthOfStiffModesUnderLeapfrogVelocities) {
    if (GetParam() != "Reference")
        GTEST_SKIP() << "the velocity shift is platform-independent (TSFForceImpl): checked on Reference only";
    // LangevinMiddleIntegrator stores velocities half a step behind the positions. Velocities drawn for a jump's new
    // positions without that shift narrow every stiff mode by about omega^2 dt^2 in variance at each accepted jump:
    // with a jump attempted every 2 fs step (a quarter accepted) the bond and angle variances came out 2.5-4.4
    // standard errors low with 20 000 samples, so this test takes four times as many.
    const BondedChain chain;
    std::unique_ptr<OpenMM::System> system = chain.createSystem();
    auto* force = new TSFForce(chainFlow(true), chain.zMatrix(), TSFForce::ModelBytes);
    force->setFrequency(1);
    force->setJumpStepSize(0.5);
    force->setJumpPriorProbability(1.0);
    system->addForce(force);
    OpenMM::LangevinMiddleIntegrator integrator(300.0, 5.0, 0.002);
    integrator.setRandomNumberSeed(31);
    OpenMM::Context context(*system, integrator, OpenMM::Platform::getPlatformByName("Reference"));
    context.setPositions(chain.positions());
    context.setVelocitiesToTemperature(300.0, 31);
    expectExactMarginals(chain, sampleMd(chain, context, integrator, 80000), 300.0, "MD with a flow jump at every step");
    EXPECT_GT(force->getNumJumpsAccepted(context), force->getNumJumpsAttempted(context) / 10);
}

INSTANTIATE_TEST_SUITE_P(Platforms, TSFForcePlatformTest, ::testing::ValuesIn(platformsUnderTest()));

TEST(TSFForce, FlowJumpsNeedAThermostattedIntegrator) {
    const BondedChain chain;
    std::unique_ptr<OpenMM::System> system = chain.createSystem();
    auto* force = new TSFForce(chainModel(), chain.zMatrix(), TSFForce::ModelBytes);
    EXPECT_THROW_WITH(force->setFrequency(-1), "frequency");
    EXPECT_THROW_WITH(force->setJumpStepSize(0.0), "sigma must be positive");
    EXPECT_THROW_WITH(force->setJumpStepSize(INFINITY), "sigma must be positive and finite");
    EXPECT_EQ(0.1, force->getJumpStepSize());
    EXPECT_THROW_WITH(force->setJumpPriorProbability(2.0), "[0, 1]");
    force->setFrequency(5);
    system->addForce(force);
    OpenMM::VerletIntegrator integrator(0.001);
    EXPECT_THROW_WITH(OpenMM::Context(*system, integrator, OpenMM::Platform::getPlatformByName("Reference")), "thermostatted integrator");
}
