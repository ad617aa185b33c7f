// SPDX-License-Identifier: MIT
#include "openmmtsf/internal/IntegrateTSFStepKernelBase.h"
#include "openmmtsf/TSFIntegrator.h"
#include "openmmtsf/internal/Checksums.h"
#include "openmmtsf/internal/LatentMetropolis.h"
#include "openmmtsf/internal/TSFForceImpl.h"
#include "openmmtsf/internal/TSFModel.h"
#include "openmm/OpenMMException.h"
#include "openmm/internal/ContextImpl.h"
#include <chrono>
#include <cmath>
#include <exception>
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

/**
 * The scope of one kernel operation on the Context: the position changes it makes are its own (not a user's new
 * replica 0), and if it throws, the Context gets replica 0 back, so that no trial configuration and no other
 * replica can be adopted as replica 0.
 */
class IntegrateTSFStepKernelBase::Operation {
public:
    Operation(IntegrateTSFStepKernelBase& kernel, OpenMM::ContextImpl& context) :
            kernel(kernel), context(context), exceptionsAtStart(std::uncaught_exceptions()) {
        kernel.internalLoads = true;
    }
    ~Operation() {
        if (std::uncaught_exceptions() > exceptionsAtStart && kernel.replicasReady) {
            try {
                kernel.loadReplicaIntoContext(context, 0);
            }
            catch (...) {
                // Already unwinding from the first error, which is the one to report.
            }
        }
        kernel.internalLoads = false;
    }
private:
    IntegrateTSFStepKernelBase& kernel;
    OpenMM::ContextImpl& context;
    const int exceptionsAtStart;
};

void IntegrateTSFStepKernelBase::LatentState::update(const LatentMoveBatch& move, int replica, bool accepted) {
    // After an accepted move the state is the proposal: log|det J_D^-1| there is -log|det J_D| at v'.
    logDetInverse = accepted ? -move.logDetForward[replica] : move.logDetInverse[replica];
    momentumSquared = accepted ? move.newMomentumSquared[replica] : move.momentumSquared[replica];
    latentSquared = accepted ? move.newLatentSquared[replica] : move.latentSquared[replica];
    known = std::isfinite(logDetInverse) && std::isfinite(momentumSquared) && std::isfinite(latentSquared);
}

void IntegrateTSFStepKernelBase::initialize(const OpenMM::System& system, const TSFIntegrator& integrator, TSFForceImpl& force) {
    model = force.getModel();
    modelFingerprint = fingerprintOf(force.getOwner().getModelBytes());
    masses.resize(system.getNumParticles());
    hasVirtualSites = false;
    for (int i = 0; i < system.getNumParticles(); i++) {
        masses[i] = system.getParticleMass(i);
        hasVirtualSites = hasVirtualSites || system.isVirtualSite(i);
    }
    numReplicas = integrator.getNumReplicas();
    numDimensions = model->getNumDimensions();
    numAuxiliary = model->getNumAuxiliary();
    trainingTemperature = model->getTrainingTemperature();
    replicasReady = false;
    reloadReplica0 = false;
    energiesStale = false;
    stepIndex = 0;
    energies.assign(numReplicas, 0.0);
    exchange.reset(numReplicas);
    random.seed(integrator.getRandomNumberSeed());
    velocityRandom.seed(integrator.getRandomNumberSeed(), 1);
    bankRandom.seed(integrator.getRandomNumberSeed(), 2);
    bankDrawnFrom = bankRandom;
    bankSize = bankCursor = 0;
    restoredBankCursor = -1;
    bankTemperatures = integrator.getTemperatures();
    latentStates.assign(numReplicas, LatentState());
    statistics.reset(numReplicas);
    initializeReplicas(system, force.getOwner().getInternalCoordinates(), force.getInternalCoordinatesKernel(), numReplicas);
}

void IntegrateTSFStepKernelBase::synchronize(OpenMM::ContextImpl& context, int groups) {
    if (!replicasReady || reloadReplica0)
        context.computeVirtualSites();
    if (!replicasReady) {
        // Every replica starts from the Context's positions, so one energy serves them all.
        storeContextPositions(context, -1);
        latentStates.assign(numReplicas, LatentState());
        energies.assign(numReplicas, contextEnergy(context, groups));
        replicasReady = true;
        reloadReplica0 = false;
        energiesComputedWith(context, groups);
        return;
    }
    if (reloadReplica0) {
        // OpenMM reports positions set again to what they were (after a checkpoint, or by getState() of another
        // replica): those keep what is known of replica 0's latent point.
        downloadReplica(0, replica0Before);
        storeContextPositions(context, 0);
        downloadReplica(0, replica0After);
        if (replica0After != replica0Before)
            latentStates[0].known = false;
        energies[0] = contextEnergy(context, groups);
        reloadReplica0 = false;
    }
    Vec3 box[3];
    context.getPeriodicBoxVectors(box[0], box[1], box[2]);
    if (energiesStale || groups != energyGroups || box[0] != energyBox[0] || box[1] != energyBox[1] || box[2] != energyBox[2])
        recomputeEnergies(context, groups);
}

void IntegrateTSFStepKernelBase::recomputeEnergies(OpenMM::ContextImpl& context, int groups) {
    for (int r = numReplicas - 1; r >= 0; r--) {
        loadReplicaIntoContext(context, r);
        energies[r] = contextEnergy(context, groups);
    }
    // Loading replicas went through the Context's positions: replica 0, loaded last, is what it holds.
    reloadReplica0 = false;
    energiesComputedWith(context, groups);
}

void IntegrateTSFStepKernelBase::energiesComputedWith(OpenMM::ContextImpl& context, int groups) {
    energiesStale = false;
    energyGroups = groups;
    context.getPeriodicBoxVectors(energyBox[0], energyBox[1], energyBox[2]);
}

void IntegrateTSFStepKernelBase::execute(OpenMM::ContextImpl& context, TSFIntegrator& integrator, int steps) {
    if (integrator.getNumReplicas() != numReplicas)
        throw OpenMMException("TSFIntegrator: the number of temperatures changed after the Context was created");
    const int groups = integrator.getIntegrationForceGroups();
    Operation operation(*this, context);
    synchronize(context, groups);
    for (int s = 0; s < steps; s++) {
        ScopedTimer timer(statistics.seconds[TSFIntegrator::TotalPart]);
        moveReplicas(context, integrator);
        stepIndex++;
        const int interval = integrator.getExchangeInterval();
        if (interval > 0 && stepIndex % interval == 0)
            exchange.attempt(integrator.getTemperatures(), energies, integrator.getExchangeScheme(), random, statistics,
                    [this](int i, int j) { exchangeReplicas(i, j); });
    }
    loadReplicaIntoContext(context, 0);
    drawVelocities(context, integrator.getTemperature());
    context.setStepCount(context.getStepCount() + steps);
}

bool IntegrateTSFStepKernelBase::jump(OpenMM::ContextImpl& context, TSFIntegrator& integrator) {
    reloadReplica0 = true;
    Operation operation(*this, context);
    synchronize(context, integrator.getIntegrationForceGroups());
    const long long acceptedBefore = statistics.accepted[0][0] + statistics.accepted[1][0];
    moveReplicas(context, integrator);
    stepIndex++;
    const bool accepted = (statistics.accepted[0][0] + statistics.accepted[1][0] > acceptedBefore);
    loadReplicaIntoContext(context, 0);
    if (accepted)
        drawVelocities(context, integrator.getTemperature());
    return accepted;
}

void IntegrateTSFStepKernelBase::moveReplicas(OpenMM::ContextImpl& context, TSFIntegrator& integrator) {
    const int n = numDimensions, na = numAuxiliary;
    const vector<double>& temperatures = integrator.getTemperatures();
    const int groups = integrator.getIntegrationForceGroups();
    if (temperatures != bankTemperatures)
        temperaturesChanged(temperatures);
    const bool singlePrecisionFlow = (integrator.getFlowPrecision() == TSFIntegrator::SinglePrecisionFlow);
    if (singlePrecisionFlow != latentMoves.singlePrecisionFlow)
        flowPrecisionChanged(singlePrecisionFlow);
    {
        ScopedTimer timer(statistics.seconds[TSFIntegrator::InternalCoordinatePart]);
        computeReplicaCoordinates(coordinates, logDetToIc);
    }

    // The draws of the move: for each replica its move type, then fresh momenta where its latent point is needed, and
    // the noise of a random-walk move. A prior move's proposal comes from the bank.
    latentMoves.resize(numReplicas, n, na);
    moveTypes.resize(numReplicas);
    const double priorProbability = integrator.getPriorMoveProbability();
    bool anyPrior = false;
    for (int r = 0; r < numReplicas; r++) {
        const bool prior = (priorProbability > 0.0 && random.uniform() < priorProbability);
        moveTypes[r] = prior ? TSFIntegrator::PriorMove : TSFIntegrator::RandomWalkMove;
        latentMoves.temperatures[r] = temperatures[r];
        latentMoves.momentumScale[r] = std::sqrt(latentVariance(temperatures[r]));
        latentMoves.fromBank[r] = prior;
        latentMoves.inverse[r] = !prior || !latentStates[r].known;
        anyPrior = anyPrior || prior;
        if (latentMoves.inverse[r])
            for (int k = 0; k < na; k++)
                latentMoves.momentumNoise[(size_t) r * na + k] = random.normal();
        if (!prior) {
            latentMoves.proposalScale[r] = integrator.getLatentStepSize(r);
            for (int k = 0; k < n + na; k++)
                latentMoves.proposalNoise[(size_t) r * (n + na) + k] = random.normal();
        }
    }
    latentMoves.refillBank = false;
    if (anyPrior)
        takeFromBank(integrator);
    {
        ScopedTimer timer(statistics.seconds[TSFIntegrator::FlowPart]);
        proposeLatentMoves(*model, latentMoves, coordinates, newCoordinates);
    }
    {
        ScopedTimer timer(statistics.seconds[TSFIntegrator::InternalCoordinatePart]);
        placeTrials(newCoordinates, logDetFromIc, outOfRange);
    }
    // Where the current latent point was not recomputed, it is known from the replica's last move.
    for (int r = 0; r < numReplicas; r++)
        if (!latentMoves.inverse[r]) {
            latentMoves.logDetInverse[r] = latentStates[r].logDetInverse;
            latentMoves.momentumSquared[r] = latentStates[r].momentumSquared;
            latentMoves.latentSquared[r] = latentStates[r].latentSquared;
        }

    // One energy per replica, then the Metropolis-Hastings decision.
    for (int r = 0; r < numReplicas; r++) {
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
                loadTrialIntoContext(context, r);
                newEnergy = contextEnergy(context, groups);
            }
            const LatentMoveBatch& m = latentMoves;
            if (!std::isfinite(newEnergy) || !std::isfinite(m.logDetInverse[r]) || !std::isfinite(m.logDetForward[r]))
                statistics.nonFinite[r]++;
            else {
                const double kT = BOLTZMANN_KJ_PER_MOL_K * temperatures[r], tau = latentVariance(temperatures[r]);
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
                        storeContextPositions(context, r);
                    else
                        acceptTrial(r);
                    energies[r] = newEnergy;
                }
            }
        }
        latentStates[r].update(latentMoves, r, accepted);
        if (type == TSFIntegrator::RandomWalkMove && stepIndex < integrator.getAdaptationSteps()) {
            const double change = (acceptance - integrator.getTargetAcceptance()) / std::sqrt(1.0 + stepIndex);
            integrator.setLatentStepSize(r, integrator.getLatentStepSize(r) * std::exp(change));
        }
    }
    if (anyPrior)
        bankCursor++;
}

void IntegrateTSFStepKernelBase::takeFromBank(const TSFIntegrator& integrator) {
    const int K = integrator.getProposalsPerFlowCall();
    if (K != bankSize) {
        bankSize = bankCursor = K;
        restoredBankCursor = -1;
    }
    if (restoredBankCursor >= 0) {
        // A bank restored from a checkpoint: the same draws give the same proposals.
        bankRandom = bankDrawnFrom;
        bankCursor = bankSize;
    }
    if (bankCursor == bankSize) {
        bankDrawnFrom = bankRandom;
        latentMoves.bankNoise.resize((size_t) numReplicas * K * (numDimensions + numAuxiliary));
        for (double& value : latentMoves.bankNoise)
            value = bankRandom.normal();
        latentMoves.refillBank = true;
        bankCursor = (restoredBankCursor >= 0 ? restoredBankCursor : 0);
        restoredBankCursor = -1;
    }
    latentMoves.bankSize = K;
    latentMoves.bankIndex = bankCursor;
}

void IntegrateTSFStepKernelBase::temperaturesChanged(const vector<double>& temperatures) {
    bankTemperatures = temperatures;
    bankCursor = bankSize;
    restoredBankCursor = -1;
    if (model->isTemperatureConditioned())
        latentStates.assign(numReplicas, LatentState());
}

void IntegrateTSFStepKernelBase::flowPrecisionChanged(bool singlePrecisionFlow) {
    latentMoves.singlePrecisionFlow = singlePrecisionFlow;
    bankCursor = bankSize;
    restoredBankCursor = -1;
    latentStates.assign(numReplicas, LatentState());
}

void IntegrateTSFStepKernelBase::exchangeReplicas(int replica1, int replica2) {
    swapReplicas(replica1, replica2);
    // Exchanged configurations get new momenta (which keeps the exchange's acceptance that of the configurations),
    // so their latent points change, unless the model has no momenta and ignores the temperature.
    if (numAuxiliary == 0 && !model->isTemperatureConditioned())
        std::swap(latentStates[replica1], latentStates[replica2]);
    else
        latentStates[replica1].known = latentStates[replica2].known = false;
}

double IntegrateTSFStepKernelBase::latentVariance(double temperature) const {
    return model->isTemperatureConditioned() ? 1.0 : temperature / trainingTemperature;
}

void IntegrateTSFStepKernelBase::proposeLatentMoves(const TSFModel& model, LatentMoveBatch& batch,
        const vector<double>& coordinates, vector<double>& newCoordinates) {
    if (!hostStage || hostStage->isSinglePrecisionFlow() != batch.singlePrecisionFlow)
        hostStage = model.createHostStage(batch.singlePrecisionFlow);
    hostStage->proposeOnHost(batch, coordinates, newCoordinates);
}

void IntegrateTSFStepKernelBase::drawVelocities(OpenMM::ContextImpl& context, double temperature) {
    vector<Vec3> velocities(masses.size());
    for (size_t i = 0; i < masses.size(); i++)
        if (masses[i] > 0.0) {
            const double scale = std::sqrt(BOLTZMANN_KJ_PER_MOL_K * temperature / masses[i]);
            velocities[i] = Vec3(velocityRandom.normal(), velocityRandom.normal(), velocityRandom.normal()) * scale;
        }
    context.setVelocities(velocities);
    context.applyVelocityConstraints(1e-6);
}

void IntegrateTSFStepKernelBase::getReplicaPositions(OpenMM::ContextImpl& context, int replica, vector<Vec3>& positions) {
    Operation operation(*this, context);
    synchronize(context, context.getIntegrator().getIntegrationForceGroups());
    downloadReplica(replica, positions);
}

void IntegrateTSFStepKernelBase::getReplicaEnergies(OpenMM::ContextImpl& context, vector<double>& replicaEnergies) {
    Operation operation(*this, context);
    synchronize(context, context.getIntegrator().getIntegrationForceGroups());
    replicaEnergies = energies;
}

void IntegrateTSFStepKernelBase::setReplicaPositions(OpenMM::ContextImpl& context, int replica, const vector<Vec3>& positions) {
    const int groups = context.getIntegrator().getIntegrationForceGroups();
    Operation operation(*this, context);
    synchronize(context, groups);
    uploadReplica(replica, positions);
    latentStates[replica].known = false;
    loadReplicaIntoContext(context, replica);
    energies[replica] = contextEnergy(context, groups);
    loadReplicaIntoContext(context, 0);
}

void IntegrateTSFStepKernelBase::contextPositionsChanged() {
    if (!internalLoads)
        reloadReplica0 = true;
}

void IntegrateTSFStepKernelBase::energiesChanged() {
    energiesStale = true;
}

vector<int> IntegrateTSFStepKernelBase::getWalkers() const {
    return exchange.getWalkers();
}

const TSFStatistics& IntegrateTSFStepKernelBase::getStatistics() const {
    return statistics;
}

void IntegrateTSFStepKernelBase::resetStatistics() {
    statistics.reset(numReplicas);
}

void IntegrateTSFStepKernelBase::createCheckpoint(OpenMM::ContextImpl& context, const TSFIntegrator& integrator, std::ostream& stream) {
    Operation operation(*this, context);
    synchronize(context, integrator.getIntegrationForceGroups());
    const int header[3] = {CHECKPOINT_VERSION, numReplicas, (int) masses.size()};
    stream.write((const char*) header, sizeof(header));
    stream.write((const char*) &modelFingerprint, sizeof(modelFingerprint));
    stream.write((const char*) integrator.getTemperatures().data(), numReplicas * sizeof(double));
    stream.write((const char*) &stepIndex, sizeof(stepIndex));
    vector<Vec3> positions;
    for (int r = 0; r < numReplicas; r++) {
        downloadReplica(r, positions);
        stream.write((const char*) positions.data(), masses.size() * sizeof(Vec3));
        const double sigma = integrator.getLatentStepSize(r);
        stream.write((const char*) &sigma, sizeof(sigma));
    }
    stream.write((const char*) energies.data(), numReplicas * sizeof(double));
    exchange.write(stream);
    statistics.write(stream);
    random.write(stream);
    velocityRandom.write(stream);
    const int bank[3] = {integrator.getProposalsPerFlowCall(), bankSize, bankCursor};
    stream.write((const char*) bank, sizeof(bank));
    bankRandom.write(stream);
    bankDrawnFrom.write(stream);
    for (const LatentState& state : latentStates) {
        const int known = state.known;
        const double numbers[3] = {state.logDetInverse, state.momentumSquared, state.latentSquared};
        stream.write((const char*) &known, sizeof(known));
        stream.write((const char*) numbers, sizeof(numbers));
    }
}

void IntegrateTSFStepKernelBase::loadCheckpoint(OpenMM::ContextImpl& context, TSFIntegrator& integrator, std::istream& stream) {
    // OpenMM has already loaded its own part (positions among it): if ours fails, the Context gets replica 0 back.
    Operation operation(*this, context);
    int header[3];
    stream.read((char*) header, sizeof(header));
    if (!stream)
        throw OpenMMException("TSFIntegrator checkpoint: truncated");
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
    if (!stream)
        throw OpenMMException("TSFIntegrator checkpoint: truncated");
    if (fingerprint != modelFingerprint)
        throw OpenMMException("TSFIntegrator checkpoint: it was written with another TSF model");
    if (temperatures != integrator.getTemperatures())
        throw OpenMMException("TSFIntegrator checkpoint: it was written for another temperature ladder");
    long long step;
    stream.read((char*) &step, sizeof(step));
    vector<vector<Vec3> > positions(numReplicas, vector<Vec3>(masses.size()));
    vector<double> sigmas(numReplicas), loadedEnergies(numReplicas);
    for (int r = 0; r < numReplicas; r++) {
        stream.read((char*) positions[r].data(), masses.size() * sizeof(Vec3));
        stream.read((char*) &sigmas[r], sizeof(double));
    }
    stream.read((char*) loadedEnergies.data(), numReplicas * sizeof(double));
    if (!stream)
        throw OpenMMException("TSFIntegrator checkpoint: truncated");
    if (step < 0)
        throw OpenMMException("TSFIntegrator checkpoint: corrupt step count");
    for (int r = 0; r < numReplicas; r++) {
        if (!(sigmas[r] > 0.0 && std::isfinite(sigmas[r])))
            throw OpenMMException("TSFIntegrator checkpoint: corrupt latent step size of replica " + std::to_string(r));
        if (!std::isfinite(loadedEnergies[r]))
            throw OpenMMException("TSFIntegrator checkpoint: corrupt energy of replica " + std::to_string(r));
        for (const Vec3& p : positions[r])
            if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || !std::isfinite(p[2]))
                throw OpenMMException("TSFIntegrator checkpoint: corrupt positions of replica " + std::to_string(r));
    }
    ReplicaExchange loadedExchange = exchange;
    TSFStatistics loadedStatistics;
    TSFRandom loadedRandom, loadedVelocityRandom, loadedBankRandom, loadedBankDrawnFrom;
    loadedExchange.read(stream);
    loadedStatistics.read(stream, numReplicas);
    loadedRandom.read(stream);
    loadedVelocityRandom.read(stream);
    int bank[3];
    stream.read((char*) bank, sizeof(bank));
    if (!stream)
        throw OpenMMException("TSFIntegrator checkpoint: truncated");
    if (bank[0] < 1 || bank[0] > TSFIntegrator::MaxProposalsPerFlowCall || bank[1] < 0 ||
            bank[1] > TSFIntegrator::MaxProposalsPerFlowCall || bank[2] < 0 || bank[2] > bank[1])
        throw OpenMMException("TSFIntegrator checkpoint: corrupt bank of prior proposals");
    loadedBankRandom.read(stream);
    loadedBankDrawnFrom.read(stream);
    vector<LatentState> loadedLatentStates(numReplicas);
    for (LatentState& state : loadedLatentStates) {
        int known;
        stream.read((char*) &known, sizeof(known));
        stream.read((char*) &state.logDetInverse, sizeof(double));
        stream.read((char*) &state.momentumSquared, sizeof(double));
        stream.read((char*) &state.latentSquared, sizeof(double));
        if (!stream)
            throw OpenMMException("TSFIntegrator checkpoint: truncated");
        state.known = (known == 1);
        if ((known != 0 && known != 1) || (state.known && !(std::isfinite(state.logDetInverse) &&
                std::isfinite(state.momentumSquared) && std::isfinite(state.latentSquared))))
            throw OpenMMException("TSFIntegrator checkpoint: corrupt latent state");
    }
    // Everything was read and checked: commit.
    stepIndex = step;
    for (int r = 0; r < numReplicas; r++)
        uploadReplica(r, positions[r]);
    energies = loadedEnergies;
    exchange = loadedExchange;
    statistics = loadedStatistics;
    random = loadedRandom;
    velocityRandom = loadedVelocityRandom;
    for (int r = 0; r < numReplicas; r++)
        integrator.setLatentStepSize(r, sigmas[r]);
    // The bank is drawn again from the same draws when it is next used.
    integrator.setProposalsPerFlowCall(bank[0]);
    bankSize = bank[1];
    bankCursor = bank[2];
    restoredBankCursor = (bankCursor < bankSize ? bankCursor : -1);
    bankRandom = loadedBankRandom;
    bankDrawnFrom = loadedBankDrawnFrom;
    bankTemperatures = integrator.getTemperatures();
    latentStates = loadedLatentStates;
    replicasReady = true;
    reloadReplica0 = false;
    energiesComputedWith(context, integrator.getIntegrationForceGroups());
    loadReplicaIntoContext(context, 0);
}
