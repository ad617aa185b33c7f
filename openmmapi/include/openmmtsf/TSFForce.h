// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_FORCE_H_
#define OPENMM_TSF_FORCE_H_

#include "openmmtsf/InternalCoordinates.h"
#include "openmm/Force.h"
#include <memory>
#include <string>

namespace TSFPlugin {

class TSFModel;
class TSFForceImpl;

/**
 * Carries a trained temperature-steerable flow in a System: the TorchScript model, the molecule's Z-matrix
 * (which names its particles) and the temperature the model was trained at. It adds no energy; like
 * MonteCarloBarostat, it is there for what acts on the Context, here TSFIntegrator.
 *
 * With a frequency above 0 it also acts on its own, like MonteCarloBarostat: under an ordinary thermostatted
 * integrator (LangevinMiddle, Langevin, Brownian or Nose-Hoover), every `frequency` steps it attempts one
 * latent Metropolis move of the molecule at the integrator's temperature, and redraws velocities from
 * Maxwell-Boltzmann after an accepted one: MD with flow jumps between basins.
 *
 * The model follows the contract in docs/model-contract.md. It is checked when the force is created
 * (methods and attributes) and again when a Context is created (shapes, and n_dims against the Z-matrix).
 * The System's XML embeds the model, so a serialized System is self-contained.
 */
class TSFForce : public OpenMM::Force {
public:
    /** Where the first constructor argument comes from. */
    enum ModelSource {
        /** A path to a file written by torch.jit.save. */
        ModelFile = 0,
        /** The contents of such a file. */
        ModelBytes = 1
    };
    /**
     * @param model       a model file's path, or its bytes (see source)
     * @param definition  the molecule's Z-matrix; its IC count must equal the model's n_dims
     * @param source      what `model` holds
     * @throws OpenMMException if the file cannot be read or does not hold a model that honours the contract
     */
    TSFForce(const std::string& model, const InternalCoordinates& definition, ModelSource source = ModelFile);
    /** Get the serialized TorchScript model. */
    const std::string& getModelBytes() const;
    /** Get the molecule's Z-matrix. */
    const InternalCoordinates& getInternalCoordinates() const;
    /** Get the particles the flow moves, in increasing index. */
    const std::vector<int>& getParticles() const;
    /** Get the temperature the model was trained at, in kelvin. */
    double getTrainingTemperature() const;
    /** Get the model's IC dimension n_dims. */
    int getNumDimensions() const;
    /** Get the model's auxiliary-momentum dimension n_aux. */
    int getNumAuxiliary() const;
    /** Get how many MD steps pass between flow jumps (0: no jumps, the default). */
    int getFrequency() const;
    /** Set how many MD steps pass between flow jumps (0: no jumps). */
    void setFrequency(int steps);
    /** Get the latent step size sigma of random-walk jumps. */
    double getJumpStepSize() const;
    /** Set the latent step size sigma (> 0) of random-walk jumps. */
    void setJumpStepSize(double sigma);
    /** Get the probability that a jump is a prior (Boltzmann-generator) move. */
    double getJumpPriorProbability() const;
    /** Set the probability, in [0, 1], that a jump is a prior (Boltzmann-generator) move. */
    void setJumpPriorProbability(double probability);
    /** Get how many jumps were attempted in a Context. */
    long long getNumJumpsAttempted(OpenMM::Context& context);
    /** Get how many jumps were accepted in a Context. */
    long long getNumJumpsAccepted(OpenMM::Context& context);
    /** Returns false: the flow's moves do not depend on periodic boundaries. */
    bool usesPeriodicBoundaryConditions() const override {
        return false;
    }
protected:
    OpenMM::ForceImpl* createImpl() const override;
private:
    friend class TSFForceImpl;
    std::string modelBytes;
    /** The model, loaded once and shared by every Context of the System (its methods are const). */
    std::shared_ptr<const TSFModel> model;
    InternalCoordinates definition;
    double trainingTemperature, jumpStepSize, jumpPriorProbability;
    int numDimensions, numAuxiliary, frequency;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_FORCE_H_*/
