// SPDX-License-Identifier: MIT
/*
 * The checkpoint I/O of LatentSampler: its part of a Context checkpoint, in binary. Each part of the sampler writes
 * and reads its own section; loading reads and checks every section into copies before anything changes.
 */
#include "openmmtsf/internal/LatentSampler.h"
#include "openmm/OpenMMException.h"
#include "openmm/internal/ContextImpl.h"
#include <cmath>
#include <istream>
#include <ostream>

using namespace TSFPlugin;
using OpenMM::OpenMMException;
using OpenMM::Vec3;
using std::vector;

namespace {

/**
 * Version 5 stores the random streams in TSFRandom's binary form (earlier versions held the C++ library's text of
 * std:: engines and distributions, which other C++ libraries cannot read); it cannot read earlier versions.
 */
const int CHECKPOINT_VERSION = 5;

void checkNotTruncated(const std::istream& stream) {
    if (!stream)
        throw OpenMMException("TSFIntegrator checkpoint: truncated");
}

} // namespace

void LatentSampler::createCheckpoint(OpenMM::ContextImpl& context, const LatentMoveSettings& settings, std::ostream& stream) {
    Operation operation(*this, context);
    synchronize(context, settings.integrationForceGroups);
    const int header[3] = {CHECKPOINT_VERSION, numReplicas, (int) masses.size()};
    stream.write((const char*) header, sizeof(header));
    stream.write((const char*) &modelFingerprint, sizeof(modelFingerprint));
    stream.write((const char*) settings.temperatures.data(), numReplicas * sizeof(double));
    stream.write((const char*) &stepIndex, sizeof(stepIndex));
    vector<Vec3> positions;
    for (int r = 0; r < numReplicas; r++) {
        store.downloadReplica(r, positions);
        stream.write((const char*) positions.data(), masses.size() * sizeof(Vec3));
        const double sigma = stepSizes.get(r);
        stream.write((const char*) &sigma, sizeof(sigma));
    }
    stream.write((const char*) energies.data(), numReplicas * sizeof(double));
    exchange.write(stream);
    statistics.write(stream);
    random.write(stream);
    velocityRandom.write(stream);
    bank.write(stream, settings.proposalsPerFlowCall);
    latentStates.write(stream);
}

int LatentSampler::loadCheckpoint(OpenMM::ContextImpl& context, const LatentMoveSettings& settings, std::istream& stream) {
    // OpenMM has already loaded its own part (positions among it): if ours fails, the Context gets replica 0 back.
    Operation operation(*this, context);
    int header[3];
    stream.read((char*) header, sizeof(header));
    checkNotTruncated(stream);
    if (header[0] != CHECKPOINT_VERSION)
        throw OpenMMException("TSFIntegrator checkpoint: version " + std::to_string(header[0]) + " is not supported (this "
                "version of openmm-tsf reads version " + std::to_string(CHECKPOINT_VERSION) + ")");
    if (header[1] != numReplicas || header[2] != (int) masses.size())
        throw OpenMMException("TSFIntegrator checkpoint: it was written for " + std::to_string(header[1]) + " replicas of " +
                std::to_string(header[2]) + " particles");
    unsigned long long fingerprint;
    vector<double> temperatures(numReplicas);
    stream.read((char*) &fingerprint, sizeof(fingerprint));
    stream.read((char*) temperatures.data(), numReplicas * sizeof(double));
    checkNotTruncated(stream);
    if (fingerprint != modelFingerprint)
        throw OpenMMException("TSFIntegrator checkpoint: it was written with another TSF model");
    if (temperatures != settings.temperatures)
        throw OpenMMException("TSFIntegrator checkpoint: it was written for another temperature ladder");
    long long step;
    stream.read((char*) &step, sizeof(step));
    vector<vector<Vec3> > positions(numReplicas, vector<Vec3>(masses.size()));
    StepSizeAdapter loadedStepSizes = stepSizes;
    vector<double> loadedEnergies(numReplicas);
    for (int r = 0; r < numReplicas; r++) {
        double sigma;
        stream.read((char*) positions[r].data(), masses.size() * sizeof(Vec3));
        stream.read((char*) &sigma, sizeof(double));
        loadedStepSizes.set(r, sigma);
    }
    stream.read((char*) loadedEnergies.data(), numReplicas * sizeof(double));
    checkNotTruncated(stream);
    if (step < 0)
        throw OpenMMException("TSFIntegrator checkpoint: corrupt step count");
    for (int r = 0; r < numReplicas; r++) {
        const double sigma = loadedStepSizes.get(r);
        if (!(sigma > 0.0 && std::isfinite(sigma)))
            throw OpenMMException("TSFIntegrator checkpoint: corrupt latent step size of replica " + std::to_string(r));
        if (!std::isfinite(loadedEnergies[r]))
            throw OpenMMException("TSFIntegrator checkpoint: corrupt energy of replica " + std::to_string(r));
        for (const Vec3& p : positions[r])
            if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || !std::isfinite(p[2]))
                throw OpenMMException("TSFIntegrator checkpoint: corrupt positions of replica " + std::to_string(r));
    }
    ReplicaExchange loadedExchange = exchange;
    TSFStatistics loadedStatistics;
    TSFRandom loadedRandom, loadedVelocityRandom;
    loadedExchange.read(stream);
    loadedStatistics.read(stream, numReplicas);
    loadedRandom.read(stream);
    loadedVelocityRandom.read(stream);
    ProposalBank loadedBank = bank;
    const int proposalsPerFlowCall = loadedBank.read(stream, settings.temperatures);
    LatentStateCache loadedLatentStates;
    loadedLatentStates.read(stream, numReplicas);
    // Everything was read and checked: commit.
    stepIndex = step;
    for (int r = 0; r < numReplicas; r++)
        store.uploadReplica(r, positions[r]);
    energies = loadedEnergies;
    exchange = loadedExchange;
    statistics = loadedStatistics;
    random = loadedRandom;
    velocityRandom = loadedVelocityRandom;
    stepSizes = loadedStepSizes;
    bank = loadedBank;
    latentStates = loadedLatentStates;
    replicasReady = true;
    reloadReplica0 = false;
    energiesComputedWith(context, settings.integrationForceGroups);
    store.loadReplicaIntoContext(context, 0);
    return proposalsPerFlowCall;
}
