// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_TEST_INTEGRATORS_H_
#define OPENMM_TSF_TEST_INTEGRATORS_H_

/* What the TSFIntegrator suites share: the platform fixture, the bonded chain with its flow, and helpers. */
#include "TestModels.h"
#include "TestPlatforms.h"
#include "TestSampling.h"
#include "openmmtsf/TSFForce.h"
#include "openmmtsf/TSFIntegrator.h"
#include "openmm/System.h"
#include "openmm/Vec3.h"
#include <gtest/gtest.h>
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace TSFTest {

/**
 * Random-walk moves only and an exchange attempt every step: the settings that most tests were written for
 * (the integrator's defaults are prior moves and rarer exchanges, which DefaultSettingsAreExact samples).
 */
inline void useRandomWalkMovesAndExchangesEveryStep(TSFPlugin::TSFIntegrator& integrator) {
    integrator.setPriorMoveProbability(0.0);
    integrator.setExchangeInterval(1);
}

/** A System of the bonded chain, with a TSFForce on the chain. */
inline std::unique_ptr<OpenMM::System> chainSystemWithFlow(const BondedChain& chain) {
    std::unique_ptr<OpenMM::System> system = chain.createSystem();
    system->addForce(new TSFPlugin::TSFForce(chainFlow(true), chain.zMatrix(), TSFPlugin::TSFForce::ModelBytes));
    return system;
}

/** A suite run on each platform under test (the parameter is its key, as in TestPlatforms.h). */
class TSFIntegratorTest : public ::testing::TestWithParam<std::string> {
protected:
    /**
     * How far (nm) stored and reported positions may differ: 0 in double precision, float rounding otherwise (in
     * mixed precision, OpenMM's OpenCL Context itself returns positions rounded to float).
     */
    double positionTolerance() const {
        return isDoublePrecision() ? 0.0 : 1e-6;
    }
    bool isDoublePrecision() const {
        const std::string key = GetParam();
        return key.find(':') == std::string::npos || key.find(":double") != std::string::npos;
    }
};

/** The largest distance (nm) between corresponding positions. */
inline double maxDistance(const std::vector<OpenMM::Vec3>& a, const std::vector<OpenMM::Vec3>& b) {
    EXPECT_EQ(a.size(), b.size());
    double result = 0.0;
    for (size_t i = 0; i < std::min(a.size(), b.size()); i++) {
        const OpenMM::Vec3 d = a[i] - b[i];
        result = std::max(result, std::sqrt(d.dot(d)));
    }
    return result;
}

} // namespace TSFTest

#endif
