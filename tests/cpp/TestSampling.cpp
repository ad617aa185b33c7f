// SPDX-License-Identifier: MIT
/* Exact-marginal checks shared by the sampling tests. */
#include "TestSampling.h"
#include "TestModels.h"
#include "openmmtsf/InternalCoordinateTransform.h"
#include <gtest/gtest.h>
#include <cmath>

using namespace TSFPlugin;
using namespace TSFTest;
using OpenMM::Vec3;
using std::vector;

namespace {
const double KB = BOLTZMANN_KJ_PER_MOL_K;
}

std::string TSFTest::chainFlow(bool constantJacobian) {
    const vector<double> mean{0.15, 0.15, 0.15, 1.9, 1.9, 0.0};
    const vector<double> scale{0.009, 0.009, 0.009, 0.09, 0.09, 1.5};
    if (!constantJacobian)
        return sinhFlow(mean, scale, 300.0);
    vector<double> logScale;
    for (double s : scale)
        logScale.push_back(std::log(s));
    return miniatureTSF(mean, logScale, 300.0);
}

std::string TSFTest::conditionedChainFlow() {
    return conditionedSinhFlow({0.15, 0.15, 0.15, 1.9, 1.9, 0.0}, {0.009, 0.009, 0.009, 0.09, 0.09, 1.5}, 300.0);
}

void TSFTest::addSamples(const BondedChain& chain, const vector<vector<Vec3> >& configurations, Marginals& samples) {
    InternalCoordinateTransform transform(chain.zMatrix(), OpenMM::Platform::getPlatformByName("Reference"));
    vector<double> x;
    for (const auto& configuration : configurations)
        for (const Vec3& p : configuration)
            x.insert(x.end(), {p[0], p[1], p[2]});
    vector<double> ic, logDet;
    transform.forward(x, ic, logDet);
    for (size_t c = 0; c < configurations.size(); c++) {
        const double* q = &ic[6 * c];
        double b = 0, b2 = 0, a = 0, a2 = 0;
        for (int i = 0; i < 3; i++) {
            b += q[i] / 3;
            b2 += std::pow(q[i] - chain.bondLength, 2) / 3;
        }
        for (int i = 3; i < 5; i++) {
            a += q[i] / 2;
            a2 += std::pow(q[i] - chain.angle, 2) / 2;
        }
        samples.bond.push_back(b);
        samples.bondSquare.push_back(b2);
        samples.angle.push_back(a);
        samples.angleSquare.push_back(a2);
        samples.cosPhi.push_back(std::cos(q[5]));
        samples.sinPhi.push_back(std::sin(q[5]));
        samples.cos3Phi.push_back(std::cos(3 * q[5]));
    }
}

void TSFTest::expectExactMarginals(const BondedChain& chain, const Marginals& samples, double temperature, const std::string& label) {
    const double beta = 1.0 / (KB * temperature);
    auto bondWeight = [&](double b) { return b * b * std::exp(-beta * 0.5 * chain.bondK * std::pow(b - chain.bondLength, 2)); };
    auto angleWeight = [&](double a) { return std::sin(a) * std::exp(-beta * 0.5 * chain.angleK * std::pow(a - chain.angle, 2)); };
    auto torsionWeight = [&](double phi) { return std::exp(-beta * chain.torsionEnergy(phi)); };
    const double bondRange = 12 * std::sqrt(1 / (beta * chain.bondK)), angleRange = 12 * std::sqrt(1 / (beta * chain.angleK));
    struct Check {
        const char* name;
        const vector<double>& series;
        double exact;
    } checks[] = {
        {"<b>", samples.bond, expectation(bondWeight, [](double b) { return b; }, chain.bondLength - bondRange, chain.bondLength + bondRange)},
        {"<(b-b0)^2>", samples.bondSquare, expectation(bondWeight, [&](double b) { return std::pow(b - chain.bondLength, 2); },
                chain.bondLength - bondRange, chain.bondLength + bondRange)},
        {"<theta>", samples.angle, expectation(angleWeight, [](double a) { return a; }, chain.angle - angleRange, chain.angle + angleRange)},
        {"<(theta-theta0)^2>", samples.angleSquare, expectation(angleWeight, [&](double a) { return std::pow(a - chain.angle, 2); },
                chain.angle - angleRange, chain.angle + angleRange)},
        {"<cos phi>", samples.cosPhi, expectation(torsionWeight, [](double p) { return std::cos(p); }, -M_PI, M_PI)},
        {"<sin phi>", samples.sinPhi, expectation(torsionWeight, [](double p) { return std::sin(p); }, -M_PI, M_PI)},
        {"<cos 3phi>", samples.cos3Phi, expectation(torsionWeight, [](double p) { return std::cos(3 * p); }, -M_PI, M_PI)},
    };
    for (const Check& check : checks) {
        double mean, error;
        batchMean(check.series, 25, mean, error);
        EXPECT_LT(std::fabs(mean - check.exact), 4.5 * error)
                << label << " at " << temperature << " K: " << check.name << " = " << mean << " +- " << error << ", exact " << check.exact;
    }
}

