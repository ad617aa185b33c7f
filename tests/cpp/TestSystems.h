// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_TEST_SYSTEMS_H_
#define OPENMM_TSF_TEST_SYSTEMS_H_

#include "openmmtsf/InternalCoordinates.h"
#include "openmm/System.h"
#include "openmm/Vec3.h"
#include <memory>
#include <vector>

namespace TSFTest {

/**
 * A four-atom chain with only bonded terms whose internal coordinates are those of its Z-matrix, so their
 * marginals are known exactly: bonds b^2 exp(-beta V(b)), angles sin(theta) exp(-beta V(theta)), and the
 * torsion exp(-beta V(phi)) with V(phi) = sum_k k_k (1 + cos(n_k phi - phase_k)).
 */
struct BondedChain {
    double bondLength = 0.15, bondK = 30000.0;         // nm, kJ/mol/nm^2
    double angle = 1.9, angleK = 300.0;                // rad, kJ/mol/rad^2
    std::vector<double> torsionK{4.0, 2.0}, torsionPhase{0.0, 0.7};  // kJ/mol, rad
    std::vector<int> torsionPeriodicity{3, 1};
    /** The System: HarmonicBondForce, HarmonicAngleForce and PeriodicTorsionForce only. */
    std::unique_ptr<OpenMM::System> createSystem() const;
    /** The chain's Z-matrix: 0; 1-0; 2-1-0; 3-2-1-0. */
    TSFPlugin::InternalCoordinates zMatrix() const;
    /** A configuration at the bonds' and angles' minima. */
    std::vector<OpenMM::Vec3> positions() const;
    /** The torsion energy V(phi) in kJ/mol. */
    double torsionEnergy(double phi) const;
};

/**
 * <f> under a one-dimensional density proportional to weight(x) on [low, high], by the composite Simpson
 * rule on a fine grid.
 */
template <class Weight, class Function>
double expectation(Weight weight, Function f, double low, double high) {
    const int intervals = 20000;
    const double h = (high - low) / intervals;
    double normalisation = 0.0, sum = 0.0;
    for (int i = 0; i <= intervals; i++) {
        const double x = low + i * h, factor = (i == 0 || i == intervals) ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0);
        const double w = weight(x) * factor;
        normalisation += w;
        sum += w * f(x);
    }
    return sum / normalisation;
}

/** The mean of a correlated series and its standard error from the means of `batches` consecutive batches. */
void batchMean(const std::vector<double>& series, int batches, double& mean, double& standardError);

} // namespace TSFTest

#endif
