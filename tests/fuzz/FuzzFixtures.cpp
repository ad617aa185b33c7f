// SPDX-License-Identifier: MIT
#include "FuzzFixtures.h"
#include "TestModels.h"
#include "TestPlatforms.h"
#include "TestSystems.h"
#include "openmmtsf/TSFForce.h"
#include "openmm/OpenMMException.h"
#include "openmm/Platform.h"
#include "openmm/State.h"
#include <cstdio>
#include <sstream>
#include <utility>

using namespace TSFPlugin;

std::string TSFFuzz::chainModel() {
    const TSFTest::BondedChain chain;
    return TSFTest::conditionedSinhFlow({chain.bondLength, chain.bondLength, chain.bondLength, chain.angle, chain.angle, 0.0},
            {0.005, 0.005, 0.005, 0.1, 0.1, 1.0}, 600.0);
}

std::unique_ptr<OpenMM::System> TSFFuzz::chainSystem() {
    const TSFTest::BondedChain chain;
    std::unique_ptr<OpenMM::System> system = chain.createSystem();
    system->addForce(new TSFForce(chainModel(), chain.zMatrix(), TSFForce::ModelBytes));
    return system;
}

InternalCoordinates TSFFuzz::chainZMatrix() {
    return TSFTest::BondedChain().zMatrix();
}

void TSFFuzz::registerKernels() {
    TSFTest::registerTestedKernels();
}

TSFFuzz::InputCounter::InputCounter(std::string target) : target(std::move(target)) {
}

TSFFuzz::InputCounter::~InputCounter() {
    std::fprintf(stderr, "%s: %zu inputs, %zu refused with an exception\n", target.c_str(), inputs, refused);
}

void TSFFuzz::InputCounter::count(bool wasRefused) {
    inputs++;
    refused += wasRefused ? 1 : 0;
}

TSFFuzz::CheckpointHarness::CheckpointHarness() : system(chainSystem()), integrator(std::vector<double>{300.0, 400.0, 600.0}) {
    registerKernels();
    integrator.setRandomNumberSeed(7);
    integrator.setPriorMoveProbability(0.5);
    integrator.setProposalsPerFlowCall(4);
    context = std::make_unique<OpenMM::Context>(*system, integrator, OpenMM::Platform::getPlatformByName("Reference"));
    context->setPositions(TSFTest::BondedChain().positions());
    integrator.step(20);
    std::stringstream stream;
    context->createCheckpoint(stream);
    const std::string checkpoint = stream.str();
    // The integrator's part starts with its header {format version 5, replicas, particles}.
    const int header[3] = {5, integrator.getNumReplicas(), system->getNumParticles()};
    const std::size_t part = checkpoint.find(std::string((const char*) header, sizeof(header)));
    if (part == std::string::npos)
        throw OpenMM::OpenMMException("CheckpointHarness: no integrator part in the checkpoint");
    openmmPart = checkpoint.substr(0, part);
    integratorPart = checkpoint.substr(part);
    replicas = currentReplicas();
}

std::vector<std::vector<OpenMM::Vec3> > TSFFuzz::CheckpointHarness::currentReplicas() {
    std::vector<std::vector<OpenMM::Vec3> > result;
    for (int r = 0; r < integrator.getNumReplicas(); r++)
        result.push_back(integrator.getState(r, OpenMM::State::Positions).getPositions());
    return result;
}

void TSFFuzz::CheckpointHarness::restore() {
    std::stringstream stream(openmmPart + integratorPart);
    context->loadCheckpoint(stream);
}
