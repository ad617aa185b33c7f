// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_TEST_MODELS_H_
#define OPENMM_TSF_TEST_MODELS_H_

#include <string>
#include <vector>

namespace TSFTest {

/**
 * Small TorchScript flows for tests, built in C++ and returned as the bytes torch.jit.save would write.
 * All compute in float64.
 */

/**
 * A miniature temperature-steerable flow with momenta (n_aux = n): a scale layer x = mean + exp(logScale) * z
 * (constant Jacobian, like the TSF's latent scale k) and a volume-preserving coupling p = q + 0.3 tanh(z).
 */
std::string miniatureTSF(const std::vector<double>& mean, const std::vector<double>& logScale, double trainingTemperatureKelvin);

/** x = mean + scale * sinh(z), n_aux = 0: a flow whose Jacobian varies from point to point. */
std::string sinhFlow(const std::vector<double>& mean, const std::vector<double>& scale, double trainingTemperatureKelvin);

/**
 * A temperature-conditioned sinhFlow (attribute temperature_conditioned): at temperature T its widths are
 * scale * sqrt(T / trainingTemperature), so one model fits every temperature of a ladder with a N(0, I) latent.
 */
std::string conditionedSinhFlow(const std::vector<double>& mean, const std::vector<double>& scale, double trainingTemperatureKelvin);

/** Ways a model can break the contract. */
enum class BrokenModel {
    NoInverse,
    NoTrainingTemperature,
    WrongLogDetShape,
    WrongMomentumShape,
    FailsInForward  ///< forward() raises a size-mismatch RuntimeError inside the TorchScript interpreter
};

/** A model of n_dims = n that breaks the contract in one way. */
std::string brokenFlow(BrokenModel kind, int n);

} // namespace TSFTest

#endif
