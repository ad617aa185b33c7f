// SPDX-License-Identifier: MIT
#include "openmmtsf/internal/TSFForceImpl.h"
#include "openmmtsf/TSFKernels.h"
#include "openmmtsf/internal/TSFModel.h"
#include "openmm/OpenMMException.h"
#include "openmm/internal/ContextImpl.h"

using namespace TSFPlugin;
using OpenMM::OpenMMException;

TSFForceImpl::TSFForceImpl(const TSFForce& owner) : owner(owner) {
}

TSFForceImpl::~TSFForceImpl() = default;

void TSFForceImpl::initialize(OpenMM::ContextImpl& context) {
    const InternalCoordinates& definition = owner.getInternalCoordinates();
    definition.validate(context.getSystem().getNumParticles());
    const TSFModel& model = *owner.model;
    if (model.getNumDimensions() != definition.getNumInternalCoordinates())
        throw OpenMMException("The TSF model has n_dims = " + std::to_string(model.getNumDimensions()) + ", but the Z-matrix has " +
                std::to_string(definition.getNumInternalCoordinates()) + " internal coordinates");
    model.checkShapes();
    internalCoordinatesKernel = context.getPlatform().createKernel(CalcInternalCoordinatesKernel::Name(), context);
    internalCoordinatesKernel.getAs<CalcInternalCoordinatesKernel>().initialize(definition);
    if (owner.getFrequency() > 0)
        jumps.reset(new FlowJumps(context));
}

void TSFForceImpl::updateContextState(OpenMM::ContextImpl& context, bool& forcesInvalid) {
    // The frequency is read at every step, as MonteCarloBarostat's is: 0 stops the jumps, and jumps can start later.
    if (owner.getFrequency() <= 0)
        return;
    if (!jumps)
        jumps.reset(new FlowJumps(context));
    if (jumps->step(context, *this))
        forcesInvalid = true;
}

long long TSFForceImpl::getNumJumpsAttempted() const {
    return jumps ? jumps->getNumAttempted() : 0;
}

long long TSFForceImpl::getNumJumpsAccepted() const {
    return jumps ? jumps->getNumAccepted() : 0;
}

std::vector<std::string> TSFForceImpl::getKernelNames() {
    return {CalcInternalCoordinatesKernel::Name(), IntegrateTSFStepKernel::Name()};
}

std::shared_ptr<const TSFModel> TSFForceImpl::getModel() const {
    return owner.model;
}

const OpenMM::Kernel& TSFForceImpl::getInternalCoordinatesKernel() const {
    return internalCoordinatesKernel;
}
