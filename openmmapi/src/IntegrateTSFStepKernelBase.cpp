// SPDX-License-Identifier: MIT
#include "openmmtsf/internal/IntegrateTSFStepKernelBase.h"
#include "openmmtsf/TSFIntegrator.h"
#include "openmm/OpenMMException.h"

using namespace TSFPlugin;
using OpenMM::OpenMMException;
using OpenMM::Vec3;
using std::vector;

void IntegrateTSFStepKernelBase::initialize(const OpenMM::System& system, TSFForceImpl& force, const vector<double>& latentStepSizes,
        int randomNumberSeed) {
    sampler.initialize(system, force, latentStepSizes, randomNumberSeed);
}

LatentMoveSettings IntegrateTSFStepKernelBase::settingsOf(const TSFIntegrator& integrator) const {
    if (integrator.getNumReplicas() != sampler.getNumReplicas())
        throw OpenMMException("TSFIntegrator: the number of temperatures changed after the Context was created");
    LatentMoveSettings settings;
    settings.temperatures = integrator.getTemperatures();
    settings.priorMoveProbability = integrator.getPriorMoveProbability();
    settings.proposalsPerFlowCall = integrator.getProposalsPerFlowCall();
    settings.exchangeInterval = integrator.getExchangeInterval();
    settings.allPairsExchange = (integrator.getExchangeScheme() == TSFIntegrator::AllPairsExchange);
    settings.singlePrecisionFlow = (integrator.getFlowPrecision() == TSFIntegrator::SinglePrecisionFlow);
    settings.adaptationSteps = integrator.getAdaptationSteps();
    settings.targetAcceptance = integrator.getTargetAcceptance();
    settings.integrationForceGroups = integrator.getIntegrationForceGroups();
    return settings;
}

void IntegrateTSFStepKernelBase::execute(OpenMM::ContextImpl& context, const TSFIntegrator& integrator, int steps) {
    sampler.execute(context, settingsOf(integrator), steps);
}

bool IntegrateTSFStepKernelBase::jump(OpenMM::ContextImpl& context, const LatentMoveSettings& settings) {
    return sampler.jump(context, settings);
}

void IntegrateTSFStepKernelBase::getReplicaPositions(OpenMM::ContextImpl& context, int replica, vector<Vec3>& positions) {
    sampler.getReplicaPositions(context, replica, positions);
}

void IntegrateTSFStepKernelBase::getReplicaEnergies(OpenMM::ContextImpl& context, vector<double>& energies) {
    sampler.getReplicaEnergies(context, energies);
}

void IntegrateTSFStepKernelBase::setReplicaPositions(OpenMM::ContextImpl& context, int replica, const vector<Vec3>& positions) {
    sampler.setReplicaPositions(context, replica, positions);
}

void IntegrateTSFStepKernelBase::contextPositionsChanged() {
    sampler.contextPositionsChanged();
}

void IntegrateTSFStepKernelBase::energiesChanged() {
    sampler.energiesChanged();
}

vector<int> IntegrateTSFStepKernelBase::getWalkers() const {
    return sampler.getWalkers();
}

const TSFStatistics& IntegrateTSFStepKernelBase::getStatistics() const {
    return sampler.getStatistics();
}

void IntegrateTSFStepKernelBase::resetStatistics() {
    sampler.resetStatistics();
}

double IntegrateTSFStepKernelBase::getLatentStepSize(int replica) const {
    return sampler.getLatentStepSize(replica);
}

void IntegrateTSFStepKernelBase::setLatentStepSize(int replica, double sigma) {
    sampler.setLatentStepSize(replica, sigma);
}

void IntegrateTSFStepKernelBase::createCheckpoint(OpenMM::ContextImpl& context, const TSFIntegrator& integrator, std::ostream& stream) {
    sampler.createCheckpoint(context, settingsOf(integrator), stream);
}

int IntegrateTSFStepKernelBase::loadCheckpoint(OpenMM::ContextImpl& context, const TSFIntegrator& integrator, std::istream& stream) {
    return sampler.loadCheckpoint(context, settingsOf(integrator), stream);
}

void IntegrateTSFStepKernelBase::proposeLatentMoves(const TSFModel& model, LatentMoveBatch& batch,
        const vector<double>& coordinates, vector<double>& newCoordinates) {
    if (!hostStage || hostStage->isSinglePrecisionFlow() != batch.singlePrecisionFlow)
        hostStage = model.createHostStage(batch.singlePrecisionFlow);
    hostStage->proposeOnHost(batch, coordinates, newCoordinates);
}
