// SPDX-License-Identifier: MIT
#include "openmmtsf/internal/LatentSampler.h"
#include "openmmtsf/TSFIntegrator.h"
#include "openmmtsf/internal/LatentMetropolis.h"
#include "openmmtsf/internal/Sha256.h"
#include "openmmtsf/internal/TSFForceImpl.h"
#include "openmmtsf/internal/TSFModel.h"
#include "openmm/internal/ContextImpl.h"
#include <chrono>
#include <cmath>

using namespace TSFPlugin;
using OpenMM::Vec3;
using std::vector;

namespace {

/** The first 64 bits of the SHA-256 of the model's bytes, to refuse a checkpoint written with another model. */
unsigned long long fingerprintOf(const std::string& bytes) {
    return std::stoull(sha256Hex(bytes).substr(0, 16), nullptr, 16);
}

/** Adds the seconds between its creation and destruction to a total. */
class ScopedTimer {
public:
    explicit ScopedTimer(double& total) : total(total), start(std::chrono::steady_clock::now()) {
    }
    ~ScopedTimer() {
        total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
private:
    double& total;
    std::chrono::steady_clock::time_point start;
};

/** The energy (kJ/mol) of the configuration the Context holds. */
double contextEnergy(OpenMM::ContextImpl& context, int groups) {
    return context.calcForcesAndEnergy(false, true, groups);
}

} // namespace

LatentSampler::LatentSampler(ReplicaStore& store) : store(store) {
}

void LatentSampler::initialize(const OpenMM::System& system, TSFForceImpl& force, const vector<double>& latentStepSizes,
        int randomNumberSeed) {
    model = force.getModel();
    modelFingerprint = fingerprintOf(force.getOwner().getModelBytes());
    masses.resize(system.getNumParticles());
    hasVirtualSites = false;
    for (int i = 0; i < system.getNumParticles(); i++) {
        masses[i] = system.getParticleMass(i);
        hasVirtualSites = hasVirtualSites || system.isVirtualSite(i);
    }
    numReplicas = latentStepSizes.size();
    numDimensions = model->getNumDimensions();
    numAuxiliary = model->getNumAuxiliary();
    trainingTemperature = model->getTrainingTemperature();
    replicasReady = false;
    reloadReplica0 = false;
    energiesStale = false;
    stepIndex = 0;
    energies.assign(numReplicas, 0.0);
    exchange.reset(numReplicas);
    random.seed(randomNumberSeed);
    velocityRandom.seed(randomNumberSeed, 1);
    bank.seed(randomNumberSeed);
    latentStates.reset(numReplicas);
    stepSizes.reset(latentStepSizes);
    statistics.reset(numReplicas);
    store.initializeReplicas(system, force.getOwner().getInternalCoordinates(), force.getInternalCoordinatesKernel(), numReplicas);
}

int LatentSampler::getNumReplicas() const {
    return numReplicas;
}

void LatentSampler::synchronize(OpenMM::ContextImpl& context, int groups) {
    if (!replicasReady || reloadReplica0)
        context.computeVirtualSites();
    if (!replicasReady) {
        // Every replica starts from the Context's positions, so one energy serves them all.
        store.storeContextPositions(context, -1);
        latentStates.forgetAll();
        energies.assign(numReplicas, contextEnergy(context, groups));
        replicasReady = true;
        reloadReplica0 = false;
        energiesComputedWith(context, groups);
        return;
    }
    if (reloadReplica0) {
        // OpenMM reports positions set again to what they were (after a checkpoint, or by getState() of another
        // replica): those keep what is known of replica 0's latent point.
        store.downloadReplica(0, replica0Before);
        store.storeContextPositions(context, 0);
        store.downloadReplica(0, replica0After);
        if (replica0After != replica0Before)
            latentStates.forget(0);
        energies[0] = contextEnergy(context, groups);
        reloadReplica0 = false;
    }
    Vec3 box[3];
    context.getPeriodicBoxVectors(box[0], box[1], box[2]);
    if (energiesStale || groups != energyGroups || box[0] != energyBox[0] || box[1] != energyBox[1] || box[2] != energyBox[2])
        recomputeEnergies(context, groups);
}

void LatentSampler::recomputeEnergies(OpenMM::ContextImpl& context, int groups) {
    for (int r = numReplicas - 1; r >= 0; r--) {
        store.loadReplicaIntoContext(context, r);
        energies[r] = contextEnergy(context, groups);
    }
    // Loading replicas went through the Context's positions: replica 0, loaded last, is what it holds.
    reloadReplica0 = false;
    energiesComputedWith(context, groups);
}

void LatentSampler::energiesComputedWith(OpenMM::ContextImpl& context, int groups) {
    energiesStale = false;
    energyGroups = groups;
    context.getPeriodicBoxVectors(energyBox[0], energyBox[1], energyBox[2]);
}

void LatentSampler::execute(OpenMM::ContextImpl& context, const LatentMoveSettings& settings, int steps) {
    Operation operation(*this, context);
    synchronize(context, settings.integrationForceGroups);
    for (int s = 0; s < steps; s++) {
        ScopedTimer timer(statistics.seconds[TSFIntegrator::TotalPart]);
        moveReplicas(context, settings);
        stepIndex++;
        const int interval = settings.exchangeInterval;
        if (interval > 0 && stepIndex % interval == 0)
            exchange.attempt(settings.temperatures, energies, settings.allPairsExchange, random, statistics,
                    [this](int i, int j) { exchangeReplicas(i, j); });
    }
    store.loadReplicaIntoContext(context, 0);
    drawVelocities(context, settings.temperatures[0]);
    context.setStepCount(context.getStepCount() + steps);
}

bool LatentSampler::jump(OpenMM::ContextImpl& context, const LatentMoveSettings& settings) {
    reloadReplica0 = true;
    Operation operation(*this, context);
    synchronize(context, settings.integrationForceGroups);
    const long long acceptedBefore = statistics.accepted[0][0] + statistics.accepted[1][0];
    moveReplicas(context, settings);
    stepIndex++;
    const bool accepted = (statistics.accepted[0][0] + statistics.accepted[1][0] > acceptedBefore);
    store.loadReplicaIntoContext(context, 0);
    if (accepted)
        drawVelocities(context, settings.temperatures[0]);
    return accepted;
}

void LatentSampler::moveReplicas(OpenMM::ContextImpl& context, const LatentMoveSettings& settings) {
    if (!bank.keepFor(settings.temperatures) && model->isTemperatureConditioned())
        latentStates.forgetAll();
    if (settings.singlePrecisionFlow != latentMoves.singlePrecisionFlow) {
        // Other arithmetic from this step on: the bank is drawn again and every latent point recomputed with it.
        latentMoves.singlePrecisionFlow = settings.singlePrecisionFlow;
        bank.discard();
        latentStates.forgetAll();
    }
    {
        ScopedTimer timer(statistics.seconds[TSFIntegrator::InternalCoordinatePart]);
        store.computeReplicaCoordinates(coordinates, logDetToIc);
    }
    const bool anyPrior = drawMoves(settings);
    {
        ScopedTimer timer(statistics.seconds[TSFIntegrator::FlowPart]);
        store.proposeLatentMoves(*model, latentMoves, coordinates, newCoordinates);
    }
    {
        ScopedTimer timer(statistics.seconds[TSFIntegrator::InternalCoordinatePart]);
        store.placeTrials(newCoordinates, logDetFromIc, outOfRange);
    }
    // Where the current latent point was not recomputed, it is known from the replica's last move.
    latentStates.fillIn(latentMoves);
    for (int r = 0; r < numReplicas; r++)
        decide(context, settings, r);
    if (anyPrior)
        bank.advance();
}

bool LatentSampler::drawMoves(const LatentMoveSettings& settings) {
    // For each replica its move type, then fresh momenta where its latent point is needed, and the noise of a
    // random-walk move. A prior move's proposal comes from the bank.
    const int n = numDimensions, na = numAuxiliary;
    latentMoves.resize(numReplicas, n, na);
    moveTypes.resize(numReplicas);
    bool anyPrior = false;
    for (int r = 0; r < numReplicas; r++) {
        const bool prior = (settings.priorMoveProbability > 0.0 && random.uniform() < settings.priorMoveProbability);
        moveTypes[r] = prior ? TSFIntegrator::PriorMove : TSFIntegrator::RandomWalkMove;
        latentMoves.temperatures[r] = settings.temperatures[r];
        latentMoves.momentumScale[r] = std::sqrt(latentVariance(settings.temperatures[r]));
        latentMoves.fromBank[r] = prior;
        latentMoves.inverse[r] = !prior || !latentStates.isKnown(r);
        anyPrior = anyPrior || prior;
        if (latentMoves.inverse[r])
            for (int k = 0; k < na; k++)
                latentMoves.momentumNoise[(size_t) r * na + k] = random.normal();
        if (!prior) {
            latentMoves.proposalScale[r] = stepSizes.get(r);
            for (int k = 0; k < n + na; k++)
                latentMoves.proposalNoise[(size_t) r * (n + na) + k] = random.normal();
        }
    }
    latentMoves.refillBank = false;
    if (anyPrior)
        bank.take(settings.proposalsPerFlowCall, numReplicas, n + na, latentMoves);
    return anyPrior;
}

void LatentSampler::decide(OpenMM::ContextImpl& context, const LatentMoveSettings& settings, int r) {
    const int type = moveTypes[r];
    statistics.attempted[type][r]++;
    double acceptance = 0.0;
    bool accepted = false;
    if (outOfRange[r])
        statistics.outOfRange[r]++;
    else {
        double newEnergy;
        {
            ScopedTimer timer(statistics.seconds[TSFIntegrator::EnergyPart]);
            store.loadTrialIntoContext(context, r);
            newEnergy = contextEnergy(context, settings.integrationForceGroups);
        }
        const LatentMoveBatch& m = latentMoves;
        if (!std::isfinite(newEnergy) || !std::isfinite(m.logDetInverse[r]) || !std::isfinite(m.logDetForward[r]))
            statistics.nonFinite[r]++;
        else {
            const double temperature = settings.temperatures[r];
            const double kT = BOLTZMANN_KJ_PER_MOL_K * temperature, tau = latentVariance(temperature);
            const double oldTarget = logTargetDensity(energies[r], kT, -logDetToIc[r], m.momentumSquared[r], tau);
            const double newTarget = logTargetDensity(newEnergy, kT, logDetFromIc[r], m.newMomentumSquared[r], tau);
            const bool prior = (type == TSFIntegrator::PriorMove);
            const double logRatio = logAcceptanceRatio(oldTarget, newTarget, m.logDetInverse[r], m.logDetForward[r], prior,
                    m.latentSquared[r], m.newLatentSquared[r], tau);
            acceptance = (logRatio >= 0.0 ? 1.0 : std::exp(logRatio));
            accepted = (random.uniform() < acceptance);
            if (accepted) {
                statistics.accepted[type][r]++;
                // The Context holds the trial with its virtual sites computed: keep those too.
                if (hasVirtualSites)
                    store.storeContextPositions(context, r);
                else
                    store.acceptTrial(r);
                energies[r] = newEnergy;
            }
        }
    }
    latentStates.update(latentMoves, r, accepted);
    if (type == TSFIntegrator::RandomWalkMove)
        stepSizes.adapt(r, acceptance, stepIndex, settings.adaptationSteps, settings.targetAcceptance);
}

void LatentSampler::exchangeReplicas(int replica1, int replica2) {
    store.swapReplicas(replica1, replica2);
    // Exchanged configurations get new momenta (which keeps the exchange's acceptance that of the configurations),
    // so their latent points change, unless the model has no momenta and ignores the temperature.
    latentStates.exchange(replica1, replica2, numAuxiliary == 0 && !model->isTemperatureConditioned());
}

double LatentSampler::latentVariance(double temperature) const {
    return model->isTemperatureConditioned() ? 1.0 : temperature / trainingTemperature;
}

void LatentSampler::drawVelocities(OpenMM::ContextImpl& context, double temperature) {
    vector<Vec3> velocities(masses.size());
    for (size_t i = 0; i < masses.size(); i++)
        if (masses[i] > 0.0) {
            const double scale = std::sqrt(BOLTZMANN_KJ_PER_MOL_K * temperature / masses[i]);
            velocities[i] = Vec3(velocityRandom.normal(), velocityRandom.normal(), velocityRandom.normal()) * scale;
        }
    context.setVelocities(velocities);
    context.applyVelocityConstraints(1e-6);
}

void LatentSampler::getReplicaPositions(OpenMM::ContextImpl& context, int replica, vector<Vec3>& positions) {
    Operation operation(*this, context);
    synchronize(context, context.getIntegrator().getIntegrationForceGroups());
    store.downloadReplica(replica, positions);
}

void LatentSampler::getReplicaEnergies(OpenMM::ContextImpl& context, vector<double>& replicaEnergies) {
    Operation operation(*this, context);
    synchronize(context, context.getIntegrator().getIntegrationForceGroups());
    replicaEnergies = energies;
}

void LatentSampler::setReplicaPositions(OpenMM::ContextImpl& context, int replica, const vector<Vec3>& positions) {
    const int groups = context.getIntegrator().getIntegrationForceGroups();
    Operation operation(*this, context);
    synchronize(context, groups);
    store.uploadReplica(replica, positions);
    latentStates.forget(replica);
    store.loadReplicaIntoContext(context, replica);
    energies[replica] = contextEnergy(context, groups);
    store.loadReplicaIntoContext(context, 0);
}

void LatentSampler::contextPositionsChanged() {
    if (!internalLoads)
        reloadReplica0 = true;
}

void LatentSampler::energiesChanged() {
    energiesStale = true;
}

const vector<int>& LatentSampler::getWalkers() const {
    return exchange.getWalkers();
}

const TSFStatistics& LatentSampler::getStatistics() const {
    return statistics;
}

void LatentSampler::resetStatistics() {
    statistics.reset(numReplicas);
}

double LatentSampler::getLatentStepSize(int replica) const {
    return stepSizes.get(replica);
}

void LatentSampler::setLatentStepSize(int replica, double sigma) {
    stepSizes.set(replica, sigma);
}
