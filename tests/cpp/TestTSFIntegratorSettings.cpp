// SPDX-License-Identifier: MIT
/*
 * TSFIntegrator settings on Reference: bad values are refused and change nothing, replica indices are checked, the
 * Context must hold one chosen TSFForce, and an integrator can serve a new Context.
 */
#include "TestIntegrators.h"
#include "openmm/Context.h"
#include "openmm/OpenMMException.h"
#include "TestAssertions.h"
#include <gtest/gtest.h>
#include <cmath>

using namespace TSFPlugin;
using namespace TSFTest;
using OpenMM::OpenMMException;
using OpenMM::State;
using OpenMM::Vec3;
using std::vector;

TEST(TSFIntegratorSettings, BadSettingsAreRejectedAndLeaveNothingChanged) {
    EXPECT_THROW_WITH(TSFIntegrator({300.0, -5.0}), "must be positive");
    EXPECT_THROW_WITH(TSFIntegrator({300.0, 0.0}), "must be positive");
    EXPECT_THROW_WITH(TSFIntegrator({300.0, 400.0, 300.0}), "all be different");
    EXPECT_THROW_WITH(TSFIntegrator(vector<double>()), "at least one temperature");
    EXPECT_THROW_WITH(TSFIntegrator::geometricTemperatures(600.0, 300.0, 4), "geometric");
    EXPECT_THROW_WITH(TSFIntegrator::geometricTemperatures(300.0, INFINITY, 4), "maximum < infinity");
    EXPECT_THROW_WITH(TSFIntegrator::geometricTemperatures(300.0, std::nan(""), 4), "maximum < infinity");
    TSFIntegrator integrator({300.0, 400.0});
    EXPECT_THROW_WITH(integrator.setTemperatures({300.0, -1.0}), "must be positive");
    EXPECT_THROW_WITH(integrator.setTemperature(400.0), "all be different");
    EXPECT_EQ((vector<double>{300.0, 400.0}), integrator.getTemperatures());
    EXPECT_THROW_WITH(integrator.setLatentStepSize(0.0), "sigma must be positive");
    EXPECT_THROW_WITH(integrator.setLatentStepSize(1, -0.1), "sigma must be positive");
    EXPECT_THROW_WITH(integrator.setLatentStepSize(1, INFINITY), "sigma must be positive");
    EXPECT_THROW_WITH(integrator.setLatentStepSize(2, 0.1), "replica index 2 is out of range");
    EXPECT_EQ(0.1, integrator.getLatentStepSize(1));
    EXPECT_THROW_WITH(integrator.setPriorMoveProbability(1.5), "[0, 1]");
    EXPECT_THROW_WITH(integrator.setPriorMoveProbability(-0.1), "[0, 1]");
    EXPECT_EQ(1.0, integrator.getPriorMoveProbability());
    EXPECT_THROW_WITH(integrator.setExchangeInterval(-1), "exchange interval");
    EXPECT_EQ(25, integrator.getExchangeInterval());
    EXPECT_EQ(TSFIntegrator::DoublePrecisionFlow, integrator.getFlowPrecision());
    EXPECT_THROW_WITH(integrator.setProposalsPerFlowCall(0), "proposals per flow call");
    EXPECT_THROW_WITH(integrator.setProposalsPerFlowCall(TSFIntegrator::MaxProposalsPerFlowCall + 1), "proposals per flow call");
    EXPECT_EQ(64, integrator.getProposalsPerFlowCall());
    EXPECT_THROW_WITH(integrator.setTargetAcceptance(1.0), "target acceptance");
    EXPECT_THROW_WITH(integrator.setAdaptationSteps(-3), "adaptation steps");
    EXPECT_THROW_WITH(integrator.step(1), "not bound to a Context");
    EXPECT_THROW_WITH(integrator.getWalkers(), "not bound to a Context");
    const vector<double> ladder = TSFIntegrator::geometricTemperatures(300.0, 600.0, 3);
    EXPECT_NEAR(300.0 * std::sqrt(2.0), ladder[1], 1e-9);
}

TEST(TSFIntegratorSettings, ReplicaIndicesAreChecked) {
    const BondedChain chain;
    std::unique_ptr<OpenMM::System> system = chainSystemWithFlow(chain);
    TSFIntegrator integrator({300.0, 600.0});
    useRandomWalkMovesAndExchangesEveryStep(integrator);
    OpenMM::Context context(*system, integrator, OpenMM::Platform::getPlatformByName("Reference"));
    context.setPositions(chain.positions());
    EXPECT_THROW_WITH(integrator.getState(2, State::Positions), "replica index 2 is out of range");
    EXPECT_THROW_WITH(integrator.setPositions(-1, chain.positions()), "replica index -1 is out of range");
    EXPECT_THROW_WITH(integrator.setPositions(1, vector<Vec3>(3)), "got 3 positions");
    EXPECT_THROW_WITH(integrator.getNumMovesAttempted(5, TSFIntegrator::PriorMove), "out of range");
    EXPECT_THROW_WITH(integrator.getNumRoundTrips(2), "walker index 2 is out of range");
    EXPECT_THROW_WITH(integrator.setTemperatures({300.0, 400.0, 500.0}), "cannot change once a Context exists");
}

TEST(TSFIntegratorSettings, TheContextMustHoldExactlyOneChosenTSFForce) {
    const BondedChain chain;
    const OpenMM::Platform& platform = OpenMM::Platform::getPlatformByName("Reference");
    std::unique_ptr<OpenMM::System> plain = chain.createSystem();
    TSFIntegrator integrator1(300.0);
    EXPECT_THROW_WITH(OpenMM::Context(*plain, integrator1, const_cast<OpenMM::Platform&>(platform)), "needs a TSFForce");
    std::unique_ptr<OpenMM::System> twice = chainSystemWithFlow(chain);
    twice->addForce(new TSFForce(chainFlow(false), chain.zMatrix(), TSFForce::ModelBytes));
    TSFIntegrator integrator2(300.0);
    EXPECT_THROW_WITH(OpenMM::Context(*twice, integrator2, const_cast<OpenMM::Platform&>(platform)), "choose one with");
    TSFIntegrator integrator3(300.0);
    integrator3.setForceIndex(0);
    EXPECT_THROW_WITH(OpenMM::Context(*twice, integrator3, const_cast<OpenMM::Platform&>(platform)), "is not a TSFForce");
    TSFIntegrator integrator4(300.0);
    useRandomWalkMovesAndExchangesEveryStep(integrator4);
    integrator4.setForceIndex(twice->getNumForces() - 1);
    OpenMM::Context context(*twice, integrator4, const_cast<OpenMM::Platform&>(platform));
    context.setPositions(chain.positions());
    integrator4.step(5);
    EXPECT_EQ(5, integrator4.getNumMovesAttempted(0, TSFIntegrator::RandomWalkMove));
}


TEST(TSFIntegratorSettings, AnIntegratorCanServeANewContextAfterTheFirstIsGone) {
    const BondedChain chain;
    std::unique_ptr<OpenMM::System> system = chainSystemWithFlow(chain);
    TSFIntegrator integrator({300.0, 600.0});
    useRandomWalkMovesAndExchangesEveryStep(integrator);
    {
        OpenMM::Context context(*system, integrator, OpenMM::Platform::getPlatformByName("Reference"));
        context.setPositions(chain.positions());
        integrator.step(3);
    }
    integrator.setTemperatures({300.0, 450.0, 600.0});
    OpenMM::Context context(*system, integrator, OpenMM::Platform::getPlatformByName("Reference"));
    context.setPositions(chain.positions());
    integrator.step(3);
    EXPECT_EQ(3u, integrator.getWalkers().size());
    EXPECT_EQ(3, integrator.getNumMovesAttempted(2, TSFIntegrator::RandomWalkMove));
}
