// SPDX-License-Identifier: MIT
#include "openmmtsf/internal/FlowJumps.h"
#include "openmmtsf/TSFForce.h"
#include "openmmtsf/TSFKernels.h"
#include "openmmtsf/internal/TSFForceImpl.h"
#include "openmm/BrownianIntegrator.h"
#include "openmm/LangevinIntegrator.h"
#include "openmm/LangevinMiddleIntegrator.h"
#include "openmm/NoseHooverIntegrator.h"
#include "openmm/OpenMMException.h"
#include "openmm/internal/ContextImpl.h"

using namespace TSFPlugin;
using OpenMM::OpenMMException;

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

FlowJumps::FlowJumps(OpenMM::ContextImpl& context) {
    double temperature;
    readIntegrator(context, temperature, randomNumberSeed);
    settings.temperatures = {temperature};
    settings.proposalsPerFlowCall = 64;
    kernel = context.getPlatform().createKernel(IntegrateTSFStepKernel::Name(), context);
}

void FlowJumps::readIntegrator(OpenMM::ContextImpl& context, double& temperature, int& seed) {
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

bool FlowJumps::step(OpenMM::ContextImpl& context, TSFForceImpl& force) {
    const TSFForce& owner = force.getOwner();
    if (++stepsSinceJump < owner.getFrequency())
        return false;
    stepsSinceJump = 0;
    int seed;
    readIntegrator(context, settings.temperatures[0], seed);
    settings.priorMoveProbability = owner.getJumpPriorProbability();
    settings.integrationForceGroups = context.getIntegrator().getIntegrationForceGroups();
    attempted++;
    IntegrateTSFStepKernel& move = kernel.getAs<IntegrateTSFStepKernel>();
    if (!kernelReady) {
        move.initialize(context.getSystem(), force, {owner.getJumpStepSize()}, randomNumberSeed);
        kernelReady = true;
    }
    move.setLatentStepSize(0, owner.getJumpStepSize());
    if (move.jump(context, settings)) {
        accepted++;
        if (dynamic_cast<const OpenMM::LangevinMiddleIntegrator*>(&context.getIntegrator()) != nullptr)
            velocitiesToHalfStepBefore(context);
    }
    return true;
}

void FlowJumps::velocitiesToHalfStepBefore(OpenMM::ContextImpl& context) {
    const OpenMM::Integrator& integrator = context.getIntegrator();
    context.calcForcesAndEnergy(true, false, integrator.getIntegrationForceGroups());
    context.getForces(forces);
    context.getVelocities(velocities);
    const OpenMM::System& system = context.getSystem();
    const double halfStep = 0.5 * integrator.getStepSize();
    for (int i = 0; i < system.getNumParticles(); i++) {
        const double mass = system.getParticleMass(i);
        if (mass > 0.0)
            velocities[i] -= forces[i] * (halfStep / mass);
    }
    context.setVelocities(velocities);
    context.applyVelocityConstraints(1e-6);
}

long long FlowJumps::getNumAttempted() const {
    return attempted;
}

long long FlowJumps::getNumAccepted() const {
    return accepted;
}
