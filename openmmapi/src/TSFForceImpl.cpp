// SPDX-License-Identifier: MIT
#include "openmmtsf/internal/TSFForceImpl.h"
#include "openmm/BrownianIntegrator.h"
#include "openmm/LangevinIntegrator.h"
#include "openmm/LangevinMiddleIntegrator.h"
#include "openmm/NoseHooverIntegrator.h"
#include "openmm/OpenMMException.h"
#include "openmm/internal/ContextImpl.h"

using namespace TSFPlugin;
using OpenMM::OpenMMException;

TSFForceImpl::TSFForceImpl(const TSFForce& owner) : owner(owner) {
}

void TSFForceImpl::initialize(OpenMM::ContextImpl& context) {
    const InternalCoordinates& definition = owner.getInternalCoordinates();
    definition.validate(context.getSystem().getNumParticles());
    model = std::make_shared<const TSFModel>(owner.getModelBytes());
    if (model->getNumDimensions() != definition.getNumInternalCoordinates())
        throw OpenMMException("The TSF model has n_dims = " + std::to_string(model->getNumDimensions()) + ", but the Z-matrix has " +
                std::to_string(definition.getNumInternalCoordinates()) + " internal coordinates");
    model->checkShapes();
    internalCoordinatesKernel = context.getPlatform().createKernel(CalcInternalCoordinatesKernel::Name(), context);
    internalCoordinatesKernel.getAs<CalcInternalCoordinatesKernel>().initialize(definition);
    if (owner.getFrequency() > 0)
        prepareJumps(context);
}

void TSFForceImpl::prepareJumps(OpenMM::ContextImpl& context) {
    double temperature;
    int seed;
    readIntegrator(context, temperature, seed);
    jumpSettings.reset(new TSFIntegrator(temperature));
    jumpSettings->setRandomNumberSeed(seed);
    // Initialized at the first jump, once every force and the integrator are (GPU platforms set up their
    // force buffers only then).
    jumpKernel = context.getPlatform().createKernel(IntegrateTSFStepKernel::Name(), context);
    jumpKernelReady = false;
}

namespace {

/** Read the temperature (kelvin) and random seed of the integrator if it is a T. */
template <class T>
bool readThermostat(const OpenMM::Integrator& integrator, double& temperature, int& seed) {
    const auto* typed = dynamic_cast<const T*>(&integrator);
    if (typed == nullptr)
        return false;
    temperature = typed->getTemperature();
    seed = typed->getRandomNumberSeed();
    return true;
}

} // namespace

void TSFForceImpl::readIntegrator(OpenMM::ContextImpl& context, double& temperature, int& seed) {
    const OpenMM::Integrator& integrator = context.getIntegrator();
    if (readThermostat<OpenMM::LangevinMiddleIntegrator>(integrator, temperature, seed) ||
            readThermostat<OpenMM::LangevinIntegrator>(integrator, temperature, seed) ||
            readThermostat<OpenMM::BrownianIntegrator>(integrator, temperature, seed))
        return;
    if (const auto* noseHoover = dynamic_cast<const OpenMM::NoseHooverIntegrator*>(&integrator)) {
        temperature = noseHoover->getTemperature();
        seed = 0;
        return;
    }
    throw OpenMMException("TSFForce flow jumps (frequency > 0) need a thermostatted integrator with a temperature: "
            "LangevinMiddleIntegrator, LangevinIntegrator, BrownianIntegrator or NoseHooverIntegrator");
}

void TSFForceImpl::updateContextState(OpenMM::ContextImpl& context, bool& forcesInvalid) {
    // The frequency is read at every step, as MonteCarloBarostat's is: 0 stops the jumps, and jumps can start later.
    const int frequency = owner.getFrequency();
    if (frequency <= 0)
        return;
    if (!jumpSettings)
        prepareJumps(context);
    if (++stepsSinceJump < frequency)
        return;
    stepsSinceJump = 0;
    double temperature;
    int seed;
    readIntegrator(context, temperature, seed);
    jumpSettings->setTemperature(temperature);
    jumpSettings->setLatentStepSize(owner.getJumpStepSize());
    jumpSettings->setPriorMoveProbability(owner.getJumpPriorProbability());
    jumpSettings->setIntegrationForceGroups(context.getIntegrator().getIntegrationForceGroups());
    jumpsAttempted++;
    if (!jumpKernelReady) {
        jumpKernel.getAs<IntegrateTSFStepKernel>().initialize(context.getSystem(), *jumpSettings, *this);
        jumpKernelReady = true;
    }
    if (jumpKernel.getAs<IntegrateTSFStepKernel>().jump(context, *jumpSettings)) {
        jumpsAccepted++;
        if (dynamic_cast<const OpenMM::LangevinMiddleIntegrator*>(&context.getIntegrator()) != nullptr)
            velocitiesToHalfStepBefore(context);
    }
    forcesInvalid = true;
}

void TSFForceImpl::velocitiesToHalfStepBefore(OpenMM::ContextImpl& context) {
    const OpenMM::Integrator& integrator = context.getIntegrator();
    context.calcForcesAndEnergy(true, false, integrator.getIntegrationForceGroups());
    context.getForces(jumpForces);
    context.getVelocities(jumpVelocities);
    const OpenMM::System& system = context.getSystem();
    const double halfStep = 0.5 * integrator.getStepSize();
    for (int i = 0; i < system.getNumParticles(); i++) {
        const double mass = system.getParticleMass(i);
        if (mass > 0.0)
            jumpVelocities[i] -= jumpForces[i] * (halfStep / mass);
    }
    context.setVelocities(jumpVelocities);
    context.applyVelocityConstraints(1e-6);
}

long long TSFForceImpl::getNumJumpsAttempted() const {
    return jumpsAttempted;
}

long long TSFForceImpl::getNumJumpsAccepted() const {
    return jumpsAccepted;
}

std::vector<std::string> TSFForceImpl::getKernelNames() {
    return {CalcInternalCoordinatesKernel::Name(), IntegrateTSFStepKernel::Name()};
}

std::shared_ptr<const TSFModel> TSFForceImpl::getModel() const {
    return model;
}

const OpenMM::Kernel& TSFForceImpl::getInternalCoordinatesKernel() const {
    return internalCoordinatesKernel;
}
