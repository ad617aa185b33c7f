// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_TEST_SAMPLING_H_
#define OPENMM_TSF_TEST_SAMPLING_H_

#include "TestSystems.h"
#include "openmmtsf/internal/LatentMetropolis.h"
#include <string>
#include <vector>

namespace TSFTest {

/** Boltzmann's constant in kJ/(mol K): the plugin's, which is OpenMM's. */
using TSFPlugin::BOLTZMANN_KJ_PER_MOL_K;

/** A flow for the bonded chain, roughly matched to its distribution at 300 K: a miniature TSF, or a sinh flow. */
std::string chainFlow(bool constantJacobian);

/** A temperature-conditioned flow for the bonded chain, roughly matched to it at every temperature. */
std::string conditionedChainFlow();

/** Per-sample observables of the chain's internal coordinates. */
struct Marginals {
    std::vector<double> bond, bondSquare, angle, angleSquare, cosPhi, sinPhi, cos3Phi;
};

/** Add the observables of a series of configurations of the chain. */
void addSamples(const BondedChain& chain, const std::vector<std::vector<OpenMM::Vec3> >& configurations, Marginals& samples);

/** Expect every observable to match its exact expectation at a temperature within 4.5 standard errors. */
void expectExactMarginals(const BondedChain& chain, const Marginals& samples, double temperature, const std::string& label);

} // namespace TSFTest

#endif
