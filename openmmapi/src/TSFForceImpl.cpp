#include "openmmtsf/internal/TSFForceImpl.h"
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
}

std::vector<std::string> TSFForceImpl::getKernelNames() {
    return {CalcInternalCoordinatesKernel::Name()};
}

const TSFModel& TSFForceImpl::getModel() const {
    return *model;
}

CalcInternalCoordinatesKernel& TSFForceImpl::getInternalCoordinatesKernel() {
    return internalCoordinatesKernel.getAs<CalcInternalCoordinatesKernel>();
}
