#include "openmmtsf/TSFForce.h"
#include "openmmtsf/internal/TSFForceImpl.h"
#include "openmmtsf/internal/TSFModel.h"
#include "openmm/OpenMMException.h"
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
        modelBytes(source == ModelFile ? readFile(model) : model), definition(definition) {
    if (definition.getNumAtoms() < 3)
        throw OpenMMException("TSFForce: the Z-matrix needs at least three particles");
    const TSFModel loaded(modelBytes);
    trainingTemperature = loaded.getTrainingTemperature();
    numDimensions = loaded.getNumDimensions();
    numAuxiliary = loaded.getNumAuxiliary();
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

OpenMM::ForceImpl* TSFForce::createImpl() const {
    return new TSFForceImpl(*this);
}
