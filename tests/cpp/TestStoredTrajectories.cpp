// SPDX-License-Identifier: MIT
/*
 * Fixed-seed chains on Reference against traces stored in tests/data/stored_trajectories.txt: every replica's
 * positions and energy, the acceptance counts, the step sizes and the walkers, with every double written exactly
 * (hexadecimal). They prove that a restructuring of the sampler leaves its chains the same, bit for bit.
 *
 * After a change that is meant to change the chains, write the traces again with
 *     TSF_WRITE_STORED_TRAJECTORIES=1 ./TestStoredTrajectories
 * and say why in the commit.
 */
#include "TestSampling.h"
#include "openmmtsf/TSFForce.h"
#include "openmmtsf/TSFIntegrator.h"
#include "openmm/Context.h"
#include "openmm/LangevinMiddleIntegrator.h"
#include "openmm/Platform.h"
#include <gtest/gtest.h>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

using namespace TSFPlugin;
using namespace TSFTest;
using OpenMM::State;
using OpenMM::Vec3;
using std::vector;

namespace {

const std::string STORED_TRACES = std::string(TSF_TEST_DATA_DIRECTORY) + "/stored_trajectories.txt";

/** The lines of a trace: a label, then numbers, doubles in hexadecimal floating point so they round-trip exactly. */
class Trace {
public:
    void line(const std::string& label, const vector<double>& values) {
        std::ostringstream text;
        text << label;
        char number[64];
        for (double value : values) {
            std::snprintf(number, sizeof(number), " %a", value);
            text << number;
        }
        lines.push_back(text.str());
    }
    void line(const std::string& label, const vector<long long>& values) {
        std::ostringstream text;
        text << label;
        for (long long value : values)
            text << ' ' << value;
        lines.push_back(text.str());
    }
    void positions(const std::string& label, const vector<Vec3>& positions) {
        vector<double> values;
        for (const Vec3& p : positions)
            values.insert(values.end(), {p[0], p[1], p[2]});
        line(label, values);
    }
    vector<std::string> lines;
};

/** Every replica's positions and energy, counts, step sizes and walkers of a TSFIntegrator. */
void recordIntegrator(TSFIntegrator& integrator, const std::string& label, Trace& trace) {
    const int R = integrator.getNumReplicas();
    for (int r = 0; r < R; r++)
        trace.positions(label + " positions " + std::to_string(r), integrator.getState(r, State::Positions).getPositions());
    trace.line(label + " energies", integrator.getPotentialEnergies());
    vector<long long> counts, walkers;
    vector<double> stepSizes;
    for (int r = 0; r < R; r++) {
        for (auto type : {TSFIntegrator::RandomWalkMove, TSFIntegrator::PriorMove})
            counts.insert(counts.end(), {integrator.getNumMovesAttempted(r, type), integrator.getNumMovesAccepted(r, type)});
        counts.insert(counts.end(), {integrator.getNumOutOfRange(r), integrator.getNumNonFinite(r)});
        if (r + 1 < R)
            counts.insert(counts.end(), {integrator.getNumExchangesAttempted(r, r + 1), integrator.getNumExchangesAccepted(r, r + 1)});
        stepSizes.push_back(integrator.getLatentStepSize(r));
        walkers.push_back(integrator.getWalkers()[r]);
        counts.push_back(integrator.getNumRoundTrips(r));
    }
    trace.line(label + " counts", counts);
    trace.line(label + " step sizes", stepSizes);
    trace.line(label + " walkers", walkers);
}

/**
 * A miniature TSF with momenta over three temperatures: random-walk and prior moves (p = 0.5), banks of K = 4 and
 * then 3, exchanges every 3 steps, adaptation for the first 60 steps, and a checkpoint taken at step 120 and loaded
 * after step 210, from which the chain must repeat itself.
 */
Trace integratorWithCheckpoint() {
    const BondedChain chain;
    std::unique_ptr<OpenMM::System> system = chain.createSystem();
    system->addForce(new TSFForce(chainFlow(true), chain.zMatrix(), TSFForce::ModelBytes));
    TSFIntegrator integrator({300.0, 420.0, 600.0});
    integrator.setRandomNumberSeed(5);
    integrator.setPriorMoveProbability(0.5);
    integrator.setProposalsPerFlowCall(4);
    integrator.setExchangeInterval(3);
    integrator.setAdaptationSteps(60);
    integrator.setLatentStepSize(0.3);
    OpenMM::Context context(*system, integrator, OpenMM::Platform::getPlatformByName("Reference"));
    context.setPositions(chain.positions());
    Trace trace;
    for (int chunk = 0; chunk < 12; chunk++) {
        if (chunk == 6)
            integrator.setProposalsPerFlowCall(3);
        integrator.step(10);
        recordIntegrator(integrator, "step " + std::to_string(10 * (chunk + 1)), trace);
    }
    std::stringstream checkpoint;
    context.createCheckpoint(checkpoint);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            context.loadCheckpoint(checkpoint);
        for (int chunk = 0; chunk < 3; chunk++) {
            integrator.step(30);
            recordIntegrator(integrator, "pass " + std::to_string(pass) + " step " + std::to_string(150 + 30 * chunk), trace);
        }
    }
    return trace;
}

/** A temperature-conditioned flow without momenta, exchanges every step, and a new ladder half-way. */
Trace conditionedFlowWithNewLadder() {
    const BondedChain chain;
    std::unique_ptr<OpenMM::System> system = chain.createSystem();
    system->addForce(new TSFForce(conditionedChainFlow(), chain.zMatrix(), TSFForce::ModelBytes));
    TSFIntegrator integrator({300.0, 600.0});
    integrator.setRandomNumberSeed(9);
    integrator.setPriorMoveProbability(0.3);
    integrator.setProposalsPerFlowCall(2);
    integrator.setExchangeInterval(1);
    OpenMM::Context context(*system, integrator, OpenMM::Platform::getPlatformByName("Reference"));
    context.setPositions(chain.positions());
    Trace trace;
    for (int chunk = 0; chunk < 8; chunk++) {
        if (chunk == 4)
            integrator.setTemperatures({350.0, 500.0});
        integrator.step(20);
        recordIntegrator(integrator, "step " + std::to_string(20 * (chunk + 1)), trace);
    }
    return trace;
}

/** LangevinMiddle MD of the chain with a flow jump every 5 steps (random-walk and prior jumps). */
Trace mdWithFlowJumps() {
    const BondedChain chain;
    std::unique_ptr<OpenMM::System> system = chain.createSystem();
    auto* force = new TSFForce(chainFlow(true), chain.zMatrix(), TSFForce::ModelBytes);
    force->setFrequency(5);
    force->setJumpStepSize(0.5);
    force->setJumpPriorProbability(0.4);
    system->addForce(force);
    OpenMM::LangevinMiddleIntegrator integrator(300.0, 5.0, 0.001);
    integrator.setRandomNumberSeed(3);
    OpenMM::Context context(*system, integrator, OpenMM::Platform::getPlatformByName("Reference"));
    context.setPositions(chain.positions());
    context.setVelocitiesToTemperature(300.0, 3);
    Trace trace;
    for (int chunk = 0; chunk < 10; chunk++) {
        integrator.step(25);
        const State state = context.getState(State::Positions | State::Velocities);
        const std::string label = "step " + std::to_string(25 * (chunk + 1));
        trace.positions(label + " positions", state.getPositions());
        trace.positions(label + " velocities", state.getVelocities());
        trace.line(label + " jumps", vector<long long>{force->getNumJumpsAttempted(context), force->getNumJumpsAccepted(context)});
    }
    return trace;
}

std::map<std::string, Trace> allTraces() {
    return {{"integrator with checkpoint", integratorWithCheckpoint()},
            {"conditioned flow with new ladder", conditionedFlowWithNewLadder()},
            {"md with flow jumps", mdWithFlowJumps()}};
}

/** The stored traces, by name (sections start with "## name"). */
std::map<std::string, vector<std::string> > readStoredTraces() {
    std::ifstream file(STORED_TRACES);
    std::map<std::string, vector<std::string> > traces;
    std::string text, section;
    while (std::getline(file, text)) {
        if (text.rfind("## ", 0) == 0)
            section = text.substr(3);
        else if (!section.empty())
            traces[section].push_back(text);
    }
    return traces;
}

} // namespace

TEST(StoredTrajectories, ChainsAreTheStoredOnesBitForBit) {
    const std::map<std::string, Trace> traces = allTraces();
    if (std::getenv("TSF_WRITE_STORED_TRAJECTORIES") != nullptr) {
        std::ofstream file(STORED_TRACES);
        for (const auto& [name, trace] : traces) {
            file << "## " << name << '\n';
            for (const std::string& text : trace.lines)
                file << text << '\n';
        }
        ASSERT_TRUE(file.good()) << "could not write " << STORED_TRACES;
        GTEST_SKIP() << "wrote " << STORED_TRACES;
    }
    const auto stored = readStoredTraces();
    ASSERT_EQ(stored.size(), traces.size()) << "missing or extra traces in " << STORED_TRACES;
    for (const auto& [name, trace] : traces) {
        ASSERT_EQ(stored.count(name), 1u) << "no stored trace '" << name << "'";
        const vector<std::string>& expected = stored.at(name);
        ASSERT_EQ(expected.size(), trace.lines.size()) << name;
        for (size_t i = 0; i < expected.size(); i++)
            ASSERT_EQ(expected[i], trace.lines[i]) << name << ", line " << i + 1 << ": the first difference";
    }
}

TEST(StoredTrajectories, ACheckpointRepeatsTheChain) {
    // The trace's second pass restarts from the checkpoint of step 120, so it must repeat the first.
    const Trace trace = integratorWithCheckpoint();
    vector<std::string> passes[2];
    for (const std::string& text : trace.lines)
        for (int pass = 0; pass < 2; pass++) {
            const std::string prefix = "pass " + std::to_string(pass) + " ";
            if (text.rfind(prefix, 0) == 0)
                passes[pass].push_back(text.substr(prefix.size()));
        }
    ASSERT_FALSE(passes[0].empty());
    // The counts are cumulative and the chain moved, so the two passes agree on everything recorded.
    EXPECT_EQ(passes[0], passes[1]);
}
