#ifndef OPENMM_TSF_FORCE_IMPL_H_
#define OPENMM_TSF_FORCE_IMPL_H_

#include "openmmtsf/TSFForce.h"
#include "openmmtsf/TSFKernels.h"
#include "openmmtsf/internal/TSFModel.h"
#include "openmm/Kernel.h"
#include "openmm/internal/ForceImpl.h"
#include <memory>

namespace TSFPlugin {

/**
 * The TSFForce in a Context: the loaded model and the platform's internal-coordinate kernel, which the
 * integrator uses. It adds no energy.
 */
class TSFForceImpl : public OpenMM::ForceImpl {
public:
    explicit TSFForceImpl(const TSFForce& owner);
    /** Load the model, check it against the Z-matrix and create the IC kernel. */
    void initialize(OpenMM::ContextImpl& context) override;
    const TSFForce& getOwner() const override {
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
    std::vector<std::string> getKernelNames() override;
    /** The loaded model. */
    const TSFModel& getModel() const;
    /** The platform's internal-coordinate kernel for the owner's Z-matrix. */
    CalcInternalCoordinatesKernel& getInternalCoordinatesKernel();
private:
    const TSFForce& owner;
    std::unique_ptr<TSFModel> model;
    OpenMM::Kernel internalCoordinatesKernel;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_FORCE_IMPL_H_*/
