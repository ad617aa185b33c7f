// SPDX-License-Identifier: MIT
/*
 * TSFIntegrator checkpoints: a run continues identically from one on every platform under test, corrupt ones are
 * refused and change nothing, and the random streams serialize exactly.
 */
#include "TestIntegrators.h"
#include "openmmtsf/internal/TSFRandom.h"
#include "openmm/Context.h"
#include "openmm/OpenMMException.h"
#include "TestAssertions.h"
#include <gtest/gtest.h>
#include <cstring>
#include <random>
#include <sstream>

using namespace TSFPlugin;
using namespace TSFTest;
using OpenMM::OpenMMException;
using OpenMM::State;
using OpenMM::Vec3;
using std::vector;

TEST_P(TSFIntegratorTest, CheckpointsContinueIdentically) {
    // In the middle of a bank of 16 prior proposals: the bank is drawn again from its first draws.
    const BondedChain chain;
    std::unique_ptr<OpenMM::System> system = chainSystemWithFlow(chain);
    TSFIntegrator integrator({300.0, 400.0, 600.0});
    useRandomWalkMovesAndExchangesEveryStep(integrator);
    integrator.setRandomNumberSeed(21);
    integrator.setAdaptationSteps(150);
    integrator.setPriorMoveProbability(0.5);
    integrator.setProposalsPerFlowCall(16);
    OpenMM::Context context(*system, integrator, platformOf(GetParam()), propertiesOf(GetParam()));
    context.setPositions(chain.positions());
    integrator.step(100);
    std::stringstream checkpoint;
    context.createCheckpoint(checkpoint);
    auto snapshot = [&]() {
        vector<vector<Vec3> > result;
        for (int r = 0; r < 3; r++)
            result.push_back(integrator.getState(r, State::Positions).getPositions());
        return result;
    };
    integrator.step(100);
    const auto first = snapshot();
    const auto walkers = integrator.getWalkers();
    const long long accepted = integrator.getNumMovesAccepted(1, TSFIntegrator::RandomWalkMove);
    const double sigma = integrator.getLatentStepSize(2);
    integrator.step(37);
    integrator.setProposalsPerFlowCall(5);
    context.loadCheckpoint(checkpoint);
    EXPECT_EQ(16, integrator.getProposalsPerFlowCall());
    integrator.step(100);
    EXPECT_EQ(first, snapshot());
    EXPECT_EQ(walkers, integrator.getWalkers());
    EXPECT_EQ(accepted, integrator.getNumMovesAccepted(1, TSFIntegrator::RandomWalkMove));
    EXPECT_EQ(sigma, integrator.getLatentStepSize(2));
}

namespace {

/** Where the integrator's part of a Context checkpoint starts: its header {version 5, replicas, particles}. */
size_t integratorPart(const std::string& checkpoint, int replicas, int particles) {
    const int header[3] = {5, replicas, particles};
    const size_t at = checkpoint.find(std::string((const char*) header, sizeof(header)));
    EXPECT_NE(at, std::string::npos) << "no integrator part in the checkpoint";
    return at;
}

template <class T>
std::string withValue(std::string bytes, size_t offset, T value) {
    std::memcpy(&bytes[offset], &value, sizeof(T));
    return bytes;
}

} // namespace

TEST(TSFIntegratorCheckpoints, CorruptCheckpointsAreRefusedAndChangeNothing) {
    const BondedChain chain;
    std::unique_ptr<OpenMM::System> system = chainSystemWithFlow(chain);
    const int R = 3, N = system->getNumParticles();
    TSFIntegrator integrator({300.0, 400.0, 600.0});
    useRandomWalkMovesAndExchangesEveryStep(integrator);
    integrator.setRandomNumberSeed(21);
    integrator.setPriorMoveProbability(0.5);
    integrator.setProposalsPerFlowCall(16);
    OpenMM::Context context(*system, integrator, OpenMM::Platform::getPlatformByName("Reference"));
    context.setPositions(chain.positions());
    integrator.step(50);
    std::stringstream stream;
    context.createCheckpoint(stream);
    const std::string good = stream.str();
    integrator.step(30);
    auto replicas = [&]() {
        vector<vector<Vec3> > result;
        for (int r = 0; r < R; r++)
            result.push_back(integrator.getState(r, State::Positions).getPositions());
        return result;
    };
    const auto before = replicas();
    const auto walkers = integrator.getWalkers();
    const double sigma = integrator.getLatentStepSize(1);
    integrator.setProposalsPerFlowCall(5);
    const long long attempted = integrator.getNumMovesAttempted(2, TSFIntegrator::PriorMove);
    const double energy = integrator.getPotentialEnergies()[1];

    // Layout after the header: fingerprint, temperatures, step, per replica (positions, sigma), energies, walkers.
    const size_t part = integratorPart(good, R, N), temperatures = part + 12 + 8, step = temperatures + 8 * R;
    const size_t replica1 = step + 8 + (N * 24 + 8), energies = step + 8 + R * (N * 24 + 8);
    const size_t walkerSlots = energies + 8 * R + 4, statistics = walkerSlots + 8 * R + 8;
    int secondWalker;
    std::memcpy(&secondWalker, &good[walkerSlots + 4], sizeof(int));
    // At the end: {K, bank size, cursor}, two random streams, then per replica (known, three numbers).
    const size_t latentStates = good.size() - R * (4 + 24);
    const int bankSizes[2] = {16, 16};
    const size_t bank = good.rfind(std::string((const char*) bankSizes, sizeof(bankSizes)), latentStates);
    ASSERT_NE(bank, std::string::npos) << "no bank of 16 proposals in the checkpoint";
    // The first random stream: {"TSFR", format, word index}, 312 words, the kept normal deviate.
    const size_t randomState = good.find("TSFR", statistics);
    ASSERT_NE(randomState, std::string::npos) << "no random-number state in the checkpoint";
    const std::pair<std::string, std::string> corrupt[] = {
        {withValue<int>(good, walkerSlots, 100000), "not a permutation"},
        {withValue<int>(good, walkerSlots, secondWalker), "not a permutation"},
        {withValue<long long>(good, statistics, 0), "corrupt statistics"},
        {withValue<long long>(good, statistics, 1LL << 40), "corrupt statistics"},
        {withValue<double>(good, replica1 + N * 24, -0.5), "latent step size of replica 1"},
        {withValue<double>(good, replica1, std::nan("")), "positions of replica 1"},
        {withValue<double>(good, energies, INFINITY), "energy of replica 0"},
        {withValue<long long>(good, step, -3), "corrupt step count"},
        {withValue<double>(good, temperatures + 8, 401.0), "another temperature ladder"},
        {withValue<unsigned long long>(good, part + 12, 12345), "another TSF model"},
        {good.substr(0, statistics + 20), "truncated"},
        {good.substr(0, replica1 + 100), "truncated"},
        {withValue<int>(good, bank, 0), "corrupt bank of prior proposals"},
        {withValue<int>(good, bank + 8, 17), "corrupt bank of prior proposals"},
        {withValue<int>(good, latentStates, 7), "corrupt latent state"},
        {withValue<int>(withValue<double>(good, latentStates + 4, INFINITY), latentStates, 1), "corrupt latent state"},
        {good.substr(0, good.size() - 10), "truncated"},
        {withValue<char>(good, randomState, 'X'), "corrupt random-number state"},
        {withValue<unsigned>(good, randomState + 8, 313), "corrupt random-number state"},
        {withValue<char>(good, randomState + 12 + 312 * 8, 2), "corrupt random-number state"},
    };
    for (const auto& [bytes, message] : corrupt) {
        std::stringstream bad(bytes);
        EXPECT_THROW_WITH(context.loadCheckpoint(bad), message);
        EXPECT_EQ(replicas(), before) << message;
        EXPECT_EQ(integrator.getWalkers(), walkers) << message;
        EXPECT_EQ(integrator.getLatentStepSize(1), sigma) << message;
        EXPECT_EQ(integrator.getProposalsPerFlowCall(), 5) << message;
        EXPECT_EQ(integrator.getNumMovesAttempted(2, TSFIntegrator::PriorMove), attempted) << message;
        EXPECT_EQ(integrator.getPotentialEnergies()[1], energy) << message;
        EXPECT_EQ(context.getState(State::Positions).getPositions(), before[0]) << message << ": the Context must hold replica 0";
    }
    std::stringstream fine(good);
    context.loadCheckpoint(fine);
    EXPECT_EQ(integrator.getProposalsPerFlowCall(), 16) << "the checkpoint's K";
    integrator.step(10);
}

TEST(TSFRandomStreams, SerializeAndContinueAsTheStandardEngine) {
    for (int stream : {0, 2}) {
        TSFRandom ours;
        ours.seed(1234, stream);
        std::mt19937_64 engine(1234);
        if (stream != 0) {
            std::seed_seq sequence{1234u, (unsigned) stream};
            engine.seed(sequence);
        }
#if defined(__GLIBCXX__)
        // The deviates are libstdc++'s, so that streams continue unchanged from the versions that used std:: ones.
        std::normal_distribution<double> normal;
        std::uniform_real_distribution<double> uniform;
        for (int i = 0; i < 20000; i++) {
            ASSERT_EQ(normal(engine), ours.normal()) << "draw " << i;
            ASSERT_EQ(uniform(engine), ours.uniform()) << "draw " << i;
            const int count = 1 + i % 37;
            ASSERT_EQ(std::uniform_int_distribution<int>(0, count - 1)(engine), ours.integer(count)) << "draw " << i;
        }
#else
        for (int i = 0; i < 20000; i++)
            ASSERT_EQ(engine(), (uint64_t) (ours.uniform() * 18446744073709551616.0)) << "draw " << i;
#endif
        ours.normal();  // keeps the pair's second deviate, which the state must carry
        std::stringstream state;
        ours.write(state);
        TSFRandom copy;
        copy.read(state);
        for (int i = 0; i < 1000; i++) {
            ASSERT_EQ(ours.normal(), copy.normal());
            ASSERT_EQ(ours.integer(7), copy.integer(7));
        }
        std::stringstream truncated(state.str().substr(0, 100));
        EXPECT_THROW_WITH(copy.read(truncated), "corrupt random-number state");
    }
}


INSTANTIATE_TEST_SUITE_P(Platforms, TSFIntegratorTest, ::testing::ValuesIn(platformsUnderTest()));
