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
    model.reset(new TSFModel(owner.getModelBytes()));
    if (model->getNumDimensions() != definition.getNumInternalCoordinates())
        throw OpenMMException("The TSF model has n_dims = " + std::to_string(model->getNumDimensions()) + ", but the Z-matrix has " +
                std::to_string(definition.getNumInternalCoordinates()) + " internal coordinates");
    model->checkShapes();
    internalCoordinatesKernel = context.getPlatform().createKernel(CalcInternalCoordinatesKernel::Name(), context);
    internalCoordinatesKernel.getAs<CalcInternalCoordinatesKernel>().initialize(definition);
    if (owner.getFrequency() > 0) {
        jumpSettings.reset(new TSFIntegrator(integratorTemperature(context)));
        jumpSettings->setRandomNumberSeed(integratorSeed(context));
        jumpKernel = context.getPlatform().createKernel(IntegrateTSFStepKernel::Name(), context);
        jumpKernel.getAs<IntegrateTSFStepKernel>().initialize(context.getSystem(), *jumpSettings, *this);
    }
}

double TSFForceImpl::integratorTemperature(OpenMM::ContextImpl& context) {
    const OpenMM::Integrator& integrator = context.getIntegrator();
    if (auto* langevinMiddle = dynamic_cast<const OpenMM::LangevinMiddleIntegrator*>(&integrator))
        return langevinMiddle->getTemperature();
    if (auto* langevin = dynamic_cast<const OpenMM::LangevinIntegrator*>(&integrator))
        return langevin->getTemperature();
    if (auto* brownian = dynamic_cast<const OpenMM::BrownianIntegrator*>(&integrator))
        return brownian->getTemperature();
    if (auto* noseHoover = dynamic_cast<const OpenMM::NoseHooverIntegrator*>(&integrator))
        return noseHoover->getTemperature();
    throw OpenMMException("TSFForce flow jumps (frequency > 0) need a thermostatted integrator with a temperature: "
            "LangevinMiddleIntegrator, LangevinIntegrator, BrownianIntegrator or NoseHooverIntegrator");
}

int TSFForceImpl::integratorSeed(OpenMM::ContextImpl& context) {
    const OpenMM::Integrator& integrator = context.getIntegrator();
    if (auto* langevinMiddle = dynamic_cast<const OpenMM::LangevinMiddleIntegrator*>(&integrator))
        return langevinMiddle->getRandomNumberSeed();
    if (auto* langevin = dynamic_cast<const OpenMM::LangevinIntegrator*>(&integrator))
        return langevin->getRandomNumberSeed();
    if (auto* brownian = dynamic_cast<const OpenMM::BrownianIntegrator*>(&integrator))
        return brownian->getRandomNumberSeed();
    return 0;
}

void TSFForceImpl::updateContextState(OpenMM::ContextImpl& context, bool& forcesInvalid) {
    if (!jumpSettings || ++stepsSinceJump < owner.getFrequency())
        return;
    stepsSinceJump = 0;
    jumpSettings->setTemperature(integratorTemperature(context));
    jumpSettings->setLatentStepSize(owner.getJumpStepSize());
    jumpSettings->setPriorMoveProbability(owner.getJumpPriorProbability());
    jumpSettings->setIntegrationForceGroups(context.getIntegrator().getIntegrationForceGroups());
    jumpsAttempted++;
    if (jumpKernel.getAs<IntegrateTSFStepKernel>().jump(context, *jumpSettings))
        jumpsAccepted++;
    forcesInvalid = true;
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

const TSFModel& TSFForceImpl::getModel() const {
    return *model;
}

CalcInternalCoordinatesKernel& TSFForceImpl::getInternalCoordinatesKernel() {
    return internalCoordinatesKernel.getAs<CalcInternalCoordinatesKernel>();
}
