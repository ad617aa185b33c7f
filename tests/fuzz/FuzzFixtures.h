// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_FUZZ_FIXTURES_H_
#define OPENMM_TSF_FUZZ_FIXTURES_H_

#include "openmmtsf/InternalCoordinates.h"
#include "openmmtsf/TSFIntegrator.h"
#include "openmm/Context.h"
#include "openmm/System.h"
#include "openmm/Vec3.h"
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace TSFFuzz {

/** A small temperature-conditioned flow (TorchScript bytes) for the bonded four-atom chain of the tests. */
std::string chainModel();
/** The bonded chain's System with a TSFForce driven by chainModel(). */
std::unique_ptr<OpenMM::System> chainSystem();
/** The bonded chain's Z-matrix. */
TSFPlugin::InternalCoordinates chainZMatrix();
/** Registers the plugin's Reference kernels (and OpenMM's plugins) once. */
void registerKernels();

/**
 * The bonded chain on Reference with three replicas (300, 400, 600 K), mixed moves and a bank of four prior
 * proposals, after 20 steps; its Context checkpoint split into OpenMM's part and the integrator's part.
 */
struct CheckpointHarness {
    CheckpointHarness();
    /** Every replica's positions (nm). */
    std::vector<std::vector<OpenMM::Vec3> > currentReplicas();
    /** Loads the checkpoint taken at construction. */
    void restore();

    std::unique_ptr<OpenMM::System> system;
    TSFPlugin::TSFIntegrator integrator;
    std::unique_ptr<OpenMM::Context> context;
    /** The checkpoint up to the integrator's part, and the integrator's part. */
    std::string openmmPart, integratorPart;
    /** The replicas' positions when the checkpoint was taken. */
    std::vector<std::vector<OpenMM::Vec3> > replicas;
};

/**
 * Counts a fuzz target's inputs and those refused with an exception, and prints both when the process ends
 * (the figures that scripts/sanitize.sh reports).
 */
class InputCounter {
public:
    explicit InputCounter(std::string target);
    ~InputCounter();
    /** One input, refused (an exception) or not. */
    void count(bool refused);

private:
    std::string target;
    std::size_t inputs = 0, refused = 0;
};

} // namespace TSFFuzz

#endif
