// SPDX-License-Identifier: MIT
#include "openmmtsf/TSFIntegrator.h"
#include "openmmtsf/TSFForce.h"
#include "openmmtsf/TSFKernels.h"
#include "openmmtsf/internal/TSFForceImpl.h"
#include "openmmtsf/internal/TSFStatistics.h"
#include "openmm/Context.h"
#include "openmm/OpenMMException.h"
#include "openmm/internal/ContextImpl.h"
#include <algorithm>
#include <cmath>
#include <sstream>

using namespace TSFPlugin;
using OpenMM::OpenMMException;
using std::vector;

// The defaults are the fastest measured settings for a good flow (bench/README.md): prior moves only, from banks of
// 64 proposals, and exchange attempts every 25 steps, so that the inverse flow runs only after accepted exchanges.
TSFIntegrator::TSFIntegrator(const vector<double>& temperatures) : priorMoveProbability(1.0), targetAcceptance(0.3),
        proposalsPerFlowCall(64), exchangeInterval(25), adaptationSteps(0), randomNumberSeed(0), forceIndex(-1), exchangeScheme(NeighborExchange),
        flowPrecision(DoublePrecisionFlow) {
    checkTemperatures(temperatures);
    this->temperatures = temperatures;
    latentStepSizes.assign(temperatures.size(), 0.1);
    setStepSize(0.0);
    setConstraintTolerance(1e-5);  // OpenMM's default (Context::applyConstraints uses it)
}

TSFIntegrator::TSFIntegrator(double temperature) : TSFIntegrator(vector<double>{temperature}) {
}

vector<double> TSFIntegrator::geometricTemperatures(double minimum, double maximum, int count) {
    if (!(minimum > 0.0) || !(maximum > minimum) || !std::isfinite(maximum) || count < 2)
        throw OpenMMException("A geometric temperature ladder needs 0 < minimum < maximum < infinity (kelvin) and at least 2 "
                "temperatures");
    vector<double> result(count);
    for (int i = 0; i < count; i++)
        result[i] = minimum * std::pow(maximum / minimum, i / (double) (count - 1));
    return result;
}

void TSFIntegrator::checkTemperatures(const vector<double>& temperatures) {
    if (temperatures.empty())
        throw OpenMMException("TSFIntegrator needs at least one temperature");
    for (size_t i = 0; i < temperatures.size(); i++) {
        if (!(temperatures[i] > 0.0) || !std::isfinite(temperatures[i]))
            throw OpenMMException("TSFIntegrator: temperature " + std::to_string(i) + " is " + std::to_string(temperatures[i]) +
                    " K; temperatures must be positive");
        for (size_t j = 0; j < i; j++)
            if (temperatures[i] == temperatures[j])
                throw OpenMMException("TSFIntegrator: temperatures " + std::to_string(j) + " and " + std::to_string(i) +
                        " are both " + std::to_string(temperatures[i]) + " K; temperatures must all be different");
    }
}

void TSFIntegrator::checkReplica(int replica) const {
    if (replica < 0 || replica >= getNumReplicas())
        throw OpenMMException("TSFIntegrator: replica index " + std::to_string(replica) + " is out of range [0, " +
                std::to_string(getNumReplicas()) + ")");
}

int TSFIntegrator::getNumReplicas() const {
    return temperatures.size();
}

const vector<double>& TSFIntegrator::getTemperatures() const {
    return temperatures;
}

void TSFIntegrator::setTemperatures(const vector<double>& values) {
    checkTemperatures(values);
    if (context != nullptr && values.size() != temperatures.size())
        throw OpenMMException("TSFIntegrator: the number of temperatures cannot change once a Context exists");
    if (values.size() != temperatures.size())
        latentStepSizes.resize(values.size(), latentStepSizes.back());
    temperatures = values;
}

double TSFIntegrator::getTemperature() const {
    return temperatures[0];
}

void TSFIntegrator::setTemperature(double temperature) {
    vector<double> values = temperatures;
    values[0] = temperature;
    setTemperatures(values);
}

double TSFIntegrator::getLatentStepSize(int replica) const {
    checkReplica(replica);
    return kernelCreated ? getKernel().getLatentStepSize(replica) : latentStepSizes[replica];
}

void TSFIntegrator::setLatentStepSize(double sigma) {
    if (!(sigma > 0.0) || !std::isfinite(sigma))
        throw OpenMMException("TSFIntegrator: the latent step size sigma must be positive");
    latentStepSizes.assign(temperatures.size(), sigma);
    if (kernelCreated)
        for (int r = 0; r < getNumReplicas(); r++)
            getKernel().setLatentStepSize(r, sigma);
}

void TSFIntegrator::setLatentStepSize(int replica, double sigma) {
    checkReplica(replica);
    if (!(sigma > 0.0) || !std::isfinite(sigma))
        throw OpenMMException("TSFIntegrator: the latent step size sigma must be positive");
    latentStepSizes[replica] = sigma;
    if (kernelCreated)
        getKernel().setLatentStepSize(replica, sigma);
}

double TSFIntegrator::getPriorMoveProbability() const {
    return priorMoveProbability;
}

void TSFIntegrator::setPriorMoveProbability(double probability) {
    if (!(probability >= 0.0 && probability <= 1.0))
        throw OpenMMException("TSFIntegrator: the prior-move probability must be in [0, 1]");
    priorMoveProbability = probability;
}

int TSFIntegrator::getProposalsPerFlowCall() const {
    return proposalsPerFlowCall;
}

void TSFIntegrator::setProposalsPerFlowCall(int count) {
    if (count < 1 || count > MaxProposalsPerFlowCall)
        throw OpenMMException("TSFIntegrator: the number of proposals per flow call must be in [1, " +
                std::to_string(MaxProposalsPerFlowCall) + "]");
    proposalsPerFlowCall = count;
}

int TSFIntegrator::getExchangeInterval() const {
    return exchangeInterval;
}

void TSFIntegrator::setExchangeInterval(int steps) {
    if (steps < 0)
        throw OpenMMException("TSFIntegrator: the exchange interval must be >= 0 steps (0: no exchanges)");
    exchangeInterval = steps;
}

TSFIntegrator::FlowPrecision TSFIntegrator::getFlowPrecision() const {
    return flowPrecision;
}

void TSFIntegrator::setFlowPrecision(FlowPrecision precision) {
    if (precision != DoublePrecisionFlow && precision != SinglePrecisionFlow)
        throw OpenMMException("TSFIntegrator: unknown flow precision " + std::to_string((int) precision));
    flowPrecision = precision;
}

TSFIntegrator::ExchangeScheme TSFIntegrator::getExchangeScheme() const {
    return exchangeScheme;
}

void TSFIntegrator::setExchangeScheme(ExchangeScheme scheme) {
    if (scheme != NeighborExchange && scheme != AllPairsExchange)
        throw OpenMMException("TSFIntegrator: unknown exchange scheme " + std::to_string((int) scheme));
    exchangeScheme = scheme;
}

int TSFIntegrator::getAdaptationSteps() const {
    return adaptationSteps;
}

void TSFIntegrator::setAdaptationSteps(int steps) {
    if (steps < 0)
        throw OpenMMException("TSFIntegrator: the number of adaptation steps must be >= 0");
    adaptationSteps = steps;
}

double TSFIntegrator::getTargetAcceptance() const {
    return targetAcceptance;
}

void TSFIntegrator::setTargetAcceptance(double acceptance) {
    if (!(acceptance > 0.0 && acceptance < 1.0))
        throw OpenMMException("TSFIntegrator: the target acceptance must be in (0, 1)");
    targetAcceptance = acceptance;
}

int TSFIntegrator::getRandomNumberSeed() const {
    return randomNumberSeed;
}

void TSFIntegrator::setRandomNumberSeed(int seed) {
    randomNumberSeed = seed;
}

int TSFIntegrator::getForceIndex() const {
    return forceIndex;
}

void TSFIntegrator::setForceIndex(int index) {
    if (index < -1)
        throw OpenMMException("TSFIntegrator: the force index must be a System force index, or -1 for the only TSFForce");
    forceIndex = index;
}

void TSFIntegrator::initialize(OpenMM::ContextImpl& contextRef) {
    // OpenMM clears `context` when a Context is destroyed (and reinitialize() keeps the same owner).
    if (context != nullptr && &contextRef.getOwner() != owner)
        throw OpenMMException("This TSFIntegrator is already bound to a Context: create another TSFIntegrator for a second Context");
    const OpenMM::System& system = contextRef.getSystem();
    vector<TSFForceImpl*> candidates;
    for (OpenMM::ForceImpl* impl : contextRef.getForceImpls()) {
        auto* tsf = dynamic_cast<TSFForceImpl*>(impl);
        if (tsf != nullptr && (forceIndex < 0 || &tsf->getOwner() == &system.getForce(forceIndex)))
            candidates.push_back(tsf);
    }
    if (forceIndex >= system.getNumForces() || (forceIndex >= 0 && candidates.empty()))
        throw OpenMMException("TSFIntegrator: System force " + std::to_string(forceIndex) + " is not a TSFForce");
    if (candidates.empty())
        throw OpenMMException("TSFIntegrator needs a TSFForce in the System, and there is none");
    if (candidates.size() > 1)
        throw OpenMMException("The System has " + std::to_string(candidates.size()) +
                " TSFForces; choose one with TSFIntegrator::setForceIndex()");
    context = &contextRef;
    owner = &contextRef.getOwner();
    kernel = context->getPlatform().createKernel(IntegrateTSFStepKernel::Name(), contextRef);
    kernel.getAs<IntegrateTSFStepKernel>().initialize(system, *candidates[0], latentStepSizes, randomNumberSeed);
    kernelCreated = true;
}

void TSFIntegrator::cleanup() {
    // The step sizes as adapted so far are the ones a later Context starts from.
    if (kernelCreated)
        for (int r = 0; r < getNumReplicas(); r++)
            latentStepSizes[r] = kernel.getAs<IntegrateTSFStepKernel>().getLatentStepSize(r);
    kernel = OpenMM::Kernel();
    kernelCreated = false;
}

vector<std::string> TSFIntegrator::getKernelNames() {
    return {IntegrateTSFStepKernel::Name()};
}

IntegrateTSFStepKernel& TSFIntegrator::getKernel() const {
    if (context == nullptr)
        throw OpenMMException("This TSFIntegrator is not bound to a Context");
    return const_cast<OpenMM::Kernel&>(kernel).getAs<IntegrateTSFStepKernel>();
}

void TSFIntegrator::stateChanged(OpenMM::State::DataType changed) {
    if (context == nullptr)
        return;
    // OpenMM reports setPositions as Positions, setParameter as Parameters, and updateParametersInContext or any
    // other change of the System as Energy.
    if (changed == OpenMM::State::Positions)
        getKernel().contextPositionsChanged();
    else if (changed == OpenMM::State::Parameters || changed == OpenMM::State::Energy)
        getKernel().energiesChanged();
}

double TSFIntegrator::computeKineticEnergy() {
    vector<OpenMM::Vec3> velocities;
    context->getVelocities(velocities);
    const OpenMM::System& system = context->getSystem();
    double energy = 0.0;
    for (int i = 0; i < system.getNumParticles(); i++)
        energy += 0.5 * system.getParticleMass(i) * velocities[i].dot(velocities[i]);
    return energy;
}

void TSFIntegrator::step(int steps) {
    if (steps < 0)
        throw OpenMMException("TSFIntegrator: the number of steps must not be negative");
    getKernel().execute(*context, *this, steps);
}

OpenMM::State TSFIntegrator::getState(int replica, int types, bool enforcePeriodicBox, int groups) {
    checkReplica(replica);
    IntegrateTSFStepKernel& stepKernel = getKernel();
    if (replica == 0) {
        vector<OpenMM::Vec3> positions;
        stepKernel.getReplicaPositions(*context, 0, positions);
        return owner->getState(types, enforcePeriodicBox, groups);
    }
    vector<OpenMM::Vec3> positions, replica0;
    stepKernel.getReplicaPositions(*context, replica, positions);
    if (types == OpenMM::State::Positions && !enforcePeriodicBox) {
        OpenMM::State::StateBuilder builder(context->getTime(), context->getStepCount());
        builder.setPositions(positions);
        OpenMM::Vec3 box[3];
        context->getPeriodicBoxVectors(box[0], box[1], box[2]);
        builder.setPeriodicBoxVectors(box[0], box[1], box[2]);
        return builder.getState();
    }
    stepKernel.getReplicaPositions(*context, 0, replica0);
    context->setPositions(positions);
    OpenMM::State state = owner->getState(types, enforcePeriodicBox, groups);
    context->setPositions(replica0);
    return state;
}

void TSFIntegrator::setPositions(int replica, const vector<OpenMM::Vec3>& positions) {
    checkReplica(replica);
    IntegrateTSFStepKernel& stepKernel = getKernel();
    if ((int) positions.size() != context->getSystem().getNumParticles())
        throw OpenMMException("TSFIntegrator::setPositions: got " + std::to_string(positions.size()) + " positions for a System of " +
                std::to_string(context->getSystem().getNumParticles()) + " particles");
    stepKernel.setReplicaPositions(*context, replica, positions);
}

vector<double> TSFIntegrator::getPotentialEnergies() {
    vector<double> energies;
    getKernel().getReplicaEnergies(*context, energies);
    return energies;
}

vector<int> TSFIntegrator::getWalkers() const {
    return getKernel().getWalkers();
}

long long TSFIntegrator::getNumMovesAttempted(int replica, MoveType type) const {
    checkReplica(replica);
    return getKernel().getStatistics().attempted[type == PriorMove ? 1 : 0][replica];
}

long long TSFIntegrator::getNumMovesAccepted(int replica, MoveType type) const {
    checkReplica(replica);
    return getKernel().getStatistics().accepted[type == PriorMove ? 1 : 0][replica];
}

long long TSFIntegrator::getNumOutOfRange(int replica) const {
    checkReplica(replica);
    return getKernel().getStatistics().outOfRange[replica];
}

long long TSFIntegrator::getNumNonFinite(int replica) const {
    checkReplica(replica);
    return getKernel().getStatistics().nonFinite[replica];
}

long long TSFIntegrator::getNumExchangesAttempted(int replica1, int replica2) const {
    checkReplica(replica1);
    checkReplica(replica2);
    return getKernel().getStatistics().exchangesAttempted[replica1 * getNumReplicas() + replica2];
}

long long TSFIntegrator::getNumExchangesAccepted(int replica1, int replica2) const {
    checkReplica(replica1);
    checkReplica(replica2);
    return getKernel().getStatistics().exchangesAccepted[replica1 * getNumReplicas() + replica2];
}

long long TSFIntegrator::getNumRoundTrips(int walker) const {
    if (walker < 0 || walker >= getNumReplicas())
        throw OpenMMException("TSFIntegrator: walker index " + std::to_string(walker) + " is out of range");
    return getKernel().getStatistics().roundTrips[walker];
}

double TSFIntegrator::getSecondsSpent(StepPart part) const {
    if (part < EnergyPart || part > TotalPart)
        throw OpenMMException("TSFIntegrator: unknown step part " + std::to_string((int) part));
    return getKernel().getStatistics().seconds[part];
}

void TSFIntegrator::resetStatistics() {
    getKernel().resetStatistics();
}

void TSFIntegrator::createCheckpoint(std::ostream& stream) const {
    getKernel().createCheckpoint(*context, *this, stream);
}

void TSFIntegrator::loadCheckpoint(std::istream& stream) {
    proposalsPerFlowCall = getKernel().loadCheckpoint(*context, *this, stream);
}
