// SPDX-License-Identifier: MIT
#include "openmmtsf/TSFForce.h"
#include "openmmtsf/internal/TSFForceImpl.h"
#include "openmmtsf/internal/TSFModel.h"
#include "openmm/OpenMMException.h"
#include <cmath>
#include <fstream>
#include <sstream>

using namespace TSFPlugin;
using OpenMM::OpenMMException;

namespace {

std::string readFile(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file)
        throw OpenMMException("Cannot read the TSF model file '" + path + "'");
    std::stringstream contents;
    contents << file.rdbuf();
    return contents.str();
}

} // namespace

TSFForce::TSFForce(const std::string& model, const InternalCoordinates& definition, ModelSource source) :
        modelBytes(source == ModelFile ? readFile(model) : model), definition(definition), jumpStepSize(0.1),
        jumpPriorProbability(0.0), frequency(0) {
    if (definition.getNumAtoms() < 3)
        throw OpenMMException("TSFForce: the Z-matrix needs at least three particles");
    this->model = std::make_shared<const TSFModel>(modelBytes);
    trainingTemperature = this->model->getTrainingTemperature();
    numDimensions = this->model->getNumDimensions();
    numAuxiliary = this->model->getNumAuxiliary();
}

const std::string& TSFForce::getModelBytes() const {
    return modelBytes;
}

const InternalCoordinates& TSFForce::getInternalCoordinates() const {
    return definition;
}

const std::vector<int>& TSFForce::getParticles() const {
    return definition.getParticles();
}

double TSFForce::getTrainingTemperature() const {
    return trainingTemperature;
}

int TSFForce::getNumDimensions() const {
    return numDimensions;
}

int TSFForce::getNumAuxiliary() const {
    return numAuxiliary;
}

int TSFForce::getFrequency() const {
    return frequency;
}

void TSFForce::setFrequency(int steps) {
    if (steps < 0)
        throw OpenMMException("TSFForce: the frequency of flow jumps must be >= 0 steps (0: no jumps)");
    frequency = steps;
}

double TSFForce::getJumpStepSize() const {
    return jumpStepSize;
}

void TSFForce::setJumpStepSize(double sigma) {
    if (!(sigma > 0.0) || !std::isfinite(sigma))
        throw OpenMMException("TSFForce: the latent step size sigma must be positive and finite");
    jumpStepSize = sigma;
}

double TSFForce::getJumpPriorProbability() const {
    return jumpPriorProbability;
}

void TSFForce::setJumpPriorProbability(double probability) {
    if (!(probability >= 0.0 && probability <= 1.0))
        throw OpenMMException("TSFForce: the prior-move probability must be in [0, 1]");
    jumpPriorProbability = probability;
}

long long TSFForce::getNumJumpsAttempted(OpenMM::Context& context) {
    return dynamic_cast<TSFForceImpl&>(getImplInContext(context)).getNumJumpsAttempted();
}

long long TSFForce::getNumJumpsAccepted(OpenMM::Context& context) {
    return dynamic_cast<TSFForceImpl&>(getImplInContext(context)).getNumJumpsAccepted();
}

OpenMM::ForceImpl* TSFForce::createImpl() const {
    return new TSFForceImpl(*this);
}
