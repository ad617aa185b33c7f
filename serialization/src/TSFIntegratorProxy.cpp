// SPDX-License-Identifier: MIT
#include "openmmtsf/TSFIntegratorProxy.h"
#include "openmmtsf/TSFIntegrator.h"
#include "openmm/OpenMMException.h"
#include "openmm/serialization/SerializationNode.h"
#include <cmath>
#include <memory>

using namespace TSFPlugin;
using OpenMM::OpenMMException;
using OpenMM::SerializationNode;

namespace {
/**
 * Version 2 added proposalsPerFlowCall, version 3 constraintTolerance, version 4 flowPrecision (older versions read
 * with the defaults).
 */
const int CURRENT_VERSION = 4;
}

TSFIntegratorProxy::TSFIntegratorProxy() : OpenMM::SerializationProxy("TSFIntegrator") {
}

void TSFIntegratorProxy::serialize(const void* object, SerializationNode& node) const {
    const TSFIntegrator& integrator = *reinterpret_cast<const TSFIntegrator*>(object);
    node.setIntProperty("version", CURRENT_VERSION);
    node.setDoubleProperty("priorMoveProbability", integrator.getPriorMoveProbability());
    node.setIntProperty("proposalsPerFlowCall", integrator.getProposalsPerFlowCall());
    node.setIntProperty("exchangeInterval", integrator.getExchangeInterval());
    node.setIntProperty("exchangeScheme", integrator.getExchangeScheme());
    node.setIntProperty("adaptationSteps", integrator.getAdaptationSteps());
    node.setDoubleProperty("targetAcceptance", integrator.getTargetAcceptance());
    node.setIntProperty("randomSeed", integrator.getRandomNumberSeed());
    node.setIntProperty("forceIndex", integrator.getForceIndex());
    node.setIntProperty("integrationForceGroups", integrator.getIntegrationForceGroups());
    node.setDoubleProperty("constraintTolerance", integrator.getConstraintTolerance());
    node.setIntProperty("flowPrecision", integrator.getFlowPrecision());
    SerializationNode& replicas = node.createChildNode("Replicas");
    for (int r = 0; r < integrator.getNumReplicas(); r++)
        replicas.createChildNode("Replica").setDoubleProperty("temperature", integrator.getTemperatures()[r])
                .setDoubleProperty("sigma", integrator.getLatentStepSize(r));
}

void* TSFIntegratorProxy::deserialize(const SerializationNode& node) const {
    const int version = node.getIntProperty("version");
    if (version < 1 || version > CURRENT_VERSION)
        throw OpenMMException("Unsupported version " + std::to_string(version) + " of TSFIntegrator; this build reads up to " +
                std::to_string(CURRENT_VERSION));
    std::vector<double> temperatures, sigmas;
    for (const SerializationNode& replica : node.getChildNode("Replicas").getChildren()) {
        temperatures.push_back(replica.getDoubleProperty("temperature"));
        sigmas.push_back(replica.getDoubleProperty("sigma"));
    }
    auto integrator = std::make_unique<TSFIntegrator>(temperatures);
    for (int r = 0; r < (int) sigmas.size(); r++)
        integrator->setLatentStepSize(r, sigmas[r]);
    integrator->setPriorMoveProbability(node.getDoubleProperty("priorMoveProbability"));
    if (version >= 2)
        integrator->setProposalsPerFlowCall(node.getIntProperty("proposalsPerFlowCall"));
    integrator->setExchangeInterval(node.getIntProperty("exchangeInterval"));
    // Checked as an int: casting an out-of-range value to the enum is undefined behaviour (UBSan, found by fuzzing).
    const int scheme = node.getIntProperty("exchangeScheme");
    if (scheme != TSFIntegrator::NeighborExchange && scheme != TSFIntegrator::AllPairsExchange)
        throw OpenMMException("TSFIntegrator XML: unknown exchange scheme " + std::to_string(scheme));
    integrator->setExchangeScheme(static_cast<TSFIntegrator::ExchangeScheme>(scheme));
    integrator->setAdaptationSteps(node.getIntProperty("adaptationSteps"));
    integrator->setTargetAcceptance(node.getDoubleProperty("targetAcceptance"));
    integrator->setRandomNumberSeed(node.getIntProperty("randomSeed"));
    integrator->setForceIndex(node.getIntProperty("forceIndex"));
    integrator->setIntegrationForceGroups(node.getIntProperty("integrationForceGroups"));
    if (version >= 3) {
        const double tolerance = node.getDoubleProperty("constraintTolerance");
        if (!(tolerance > 0.0) || !std::isfinite(tolerance))
            throw OpenMMException("TSFIntegrator: the constraint tolerance must be positive and finite");
        integrator->setConstraintTolerance(tolerance);
    }
    if (version >= 4) {
        const int precision = node.getIntProperty("flowPrecision");
        if (precision != TSFIntegrator::DoublePrecisionFlow && precision != TSFIntegrator::SinglePrecisionFlow)
            throw OpenMMException("TSFIntegrator XML: unknown flow precision " + std::to_string(precision));
        integrator->setFlowPrecision(static_cast<TSFIntegrator::FlowPrecision>(precision));
    }
    return integrator.release();
}
