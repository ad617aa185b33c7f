// SPDX-License-Identifier: MIT
#include "openmmtsf/InternalCoordinateTransform.h"
#include "openmmtsf/TSFKernels.h"
#include "openmm/Context.h"
#include "openmm/Force.h"
#include "openmm/OpenMMException.h"
#include "openmm/VerletIntegrator.h"
#include "openmm/internal/ContextImpl.h"
#include "openmm/internal/ForceImpl.h"
#include <algorithm>
#include <sstream>

using namespace TSFPlugin;
using OpenMM::OpenMMException;
using std::vector;

namespace {

/**
 * A Force that adds no energy and only owns a CalcInternalCoordinatesKernel, created by the Context's
 * platform when the Context is created. It lets a transform live in a private Context.
 */
class TransformKernelHost : public OpenMM::Force {
public:
    explicit TransformKernelHost(const InternalCoordinates& definition) : definition(definition) {
    }
    /** Get the kernel that the host's implementation created in a Context. */
    CalcInternalCoordinatesKernel& getKernel(OpenMM::Context& context);
    const InternalCoordinates definition;
protected:
    OpenMM::ForceImpl* createImpl() const override;
};

class TransformKernelHostImpl : public OpenMM::ForceImpl {
public:
    explicit TransformKernelHostImpl(const TransformKernelHost& owner) : owner(owner) {
    }
    void initialize(OpenMM::ContextImpl& context) override {
        kernel = context.getPlatform().createKernel(CalcInternalCoordinatesKernel::Name(), context);
        kernel.getAs<CalcInternalCoordinatesKernel>().initialize(owner.definition);
    }
    const OpenMM::Force& getOwner() const override {
        return owner;
    }
    void updateContextState(OpenMM::ContextImpl& context, bool& forcesInvalid) override {
    }
    double calcForcesAndEnergy(OpenMM::ContextImpl& context, bool includeForces, bool includeEnergy, int groups) override {
        return 0.0;
    }
    std::map<std::string, double> getDefaultParameters() override {
        return {};
    }
    std::vector<std::string> getKernelNames() override {
        return {CalcInternalCoordinatesKernel::Name()};
    }
    OpenMM::Kernel kernel;
private:
    const TransformKernelHost& owner;
};

OpenMM::ForceImpl* TransformKernelHost::createImpl() const {
    return new TransformKernelHostImpl(*this);
}

CalcInternalCoordinatesKernel& TransformKernelHost::getKernel(OpenMM::Context& context) {
    return dynamic_cast<TransformKernelHostImpl&>(getImplInContext(context)).kernel.getAs<CalcInternalCoordinatesKernel>();
}

} // namespace

InternalCoordinateTransform::InternalCoordinateTransform(const InternalCoordinates& definition, OpenMM::Platform& platform,
        const std::map<std::string, std::string>& properties) : definition(definition) {
    const vector<int>& particles = definition.getParticles();
    definition.validate(particles.empty() ? 0 : particles.back() + 1);
    for (int row = 0; row < 3; row++) {
        int particle, j, k, l;
        definition.getAtom(row, particle, j, k, l);
        rootLocalIndex.push_back(std::lower_bound(particles.begin(), particles.end(), particle) - particles.begin());
    }
    system.reset(new OpenMM::System());
    for (int i = 0; i < (int) particles.size(); i++)
        system->addParticle(1.0);
    auto* host = new TransformKernelHost(definition);
    system->addForce(host);
    integrator.reset(new OpenMM::VerletIntegrator(0.001));
    context.reset(new OpenMM::Context(*system, *integrator, platform, properties));
    kernel = &host->getKernel(*context);
}

InternalCoordinateTransform::~InternalCoordinateTransform() {
    // The Context refers to the System and the integrator, so it goes first.
    context.reset();
}

const InternalCoordinates& InternalCoordinateTransform::getDefinition() const {
    return definition;
}

int InternalCoordinateTransform::getNumParticles() const {
    return definition.getNumAtoms();
}

int InternalCoordinateTransform::getNumInternalCoordinates() const {
    return definition.getNumInternalCoordinates();
}

std::string InternalCoordinateTransform::getPlatformName() const {
    return context->getPlatform().getName();
}

int InternalCoordinateTransform::batchSize(const vector<double>& array, int valuesPerConfiguration, const char* what) const {
    if (array.empty() || array.size() % valuesPerConfiguration != 0) {
        std::stringstream s;
        s << "Wrong shape: " << what << " has " << array.size() << " values, which is not a positive multiple of "
          << valuesPerConfiguration << " (the values per configuration)";
        throw OpenMMException(s.str());
    }
    return array.size() / valuesPerConfiguration;
}

int InternalCoordinateTransform::checkFrames(const vector<double>& frames, int numConfigurations) const {
    if (frames.size() != 9 && frames.size() != 9 * (size_t) numConfigurations) {
        std::stringstream s;
        s << "Wrong shape: frames have " << frames.size() << " values; expected 9 (one shared frame [3, 3]) or "
          << 9 * numConfigurations << " ([" << numConfigurations << ", 3, 3])";
        throw OpenMMException(s.str());
    }
    return numConfigurations;
}

void InternalCoordinateTransform::forward(const vector<double>& positions, vector<double>& coordinates, vector<double>& logDetJacobian) {
    const int numConfigurations = batchSize(positions, 3 * getNumParticles(), "positions");
    kernel->forward(numConfigurations, positions, coordinates, logDetJacobian);
}

void InternalCoordinateTransform::inverse(const vector<double>& coordinates, const vector<double>& frames, vector<double>& positions,
        vector<double>& logDetJacobian, vector<int>& outOfRange) {
    const int numConfigurations = checkFrames(frames, batchSize(coordinates, getNumInternalCoordinates(), "coordinates"));
    kernel->inverse(numConfigurations, coordinates, frames, positions, logDetJacobian, outOfRange);
}

void InternalCoordinateTransform::inverseVjp(const vector<double>& coordinates, const vector<double>& frames,
        const vector<double>& positionsGradient, const vector<double>& logDetGradient, vector<double>& coordinatesGradient) {
    const int numConfigurations = checkFrames(frames, batchSize(coordinates, getNumInternalCoordinates(), "coordinates"));
    if (positionsGradient.size() != (size_t) numConfigurations * 3 * getNumParticles() || logDetGradient.size() != (size_t) numConfigurations) {
        std::stringstream s;
        s << "Wrong shape: the gradients of positions and log|det J| must have " << numConfigurations * 3 * getNumParticles()
          << " and " << numConfigurations << " values; got " << positionsGradient.size() << " and " << logDetGradient.size();
        throw OpenMMException(s.str());
    }
    kernel->inverseVjp(numConfigurations, coordinates, frames, positionsGradient, logDetGradient, coordinatesGradient);
}

vector<double> InternalCoordinateTransform::extractFrames(const vector<double>& positions) const {
    const int numAtoms = getNumParticles();
    const int numConfigurations = batchSize(positions, 3 * numAtoms, "positions");
    vector<double> frames(9 * numConfigurations);
    for (int b = 0; b < numConfigurations; b++)
        for (int r = 0; r < 3; r++)
            for (int d = 0; d < 3; d++)
                frames[9 * b + 3 * r + d] = positions[3 * (numAtoms * b + rootLocalIndex[r]) + d];
    return frames;
}
