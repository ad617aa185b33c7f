// SPDX-License-Identifier: MIT
#include "TestSystems.h"
#include "openmm/HarmonicAngleForce.h"
#include "openmm/HarmonicBondForce.h"
#include "openmm/PeriodicTorsionForce.h"
#include <cmath>

using namespace TSFTest;
using OpenMM::Vec3;

std::unique_ptr<OpenMM::System> BondedChain::createSystem() const {
    std::unique_ptr<OpenMM::System> system(new OpenMM::System());
    for (int i = 0; i < 4; i++)
        system->addParticle(12.0);
    auto* bonds = new OpenMM::HarmonicBondForce();
    for (int i = 0; i < 3; i++)
        bonds->addBond(i, i + 1, bondLength, bondK);
    system->addForce(bonds);
    auto* angles = new OpenMM::HarmonicAngleForce();
    for (int i = 0; i < 2; i++)
        angles->addAngle(i, i + 1, i + 2, angle, angleK);
    system->addForce(angles);
    auto* torsions = new OpenMM::PeriodicTorsionForce();
    for (size_t t = 0; t < torsionK.size(); t++)
        torsions->addTorsion(0, 1, 2, 3, torsionPeriodicity[t], torsionPhase[t], torsionK[t]);
    system->addForce(torsions);
    return system;
}

TSFPlugin::InternalCoordinates BondedChain::zMatrix() const {
    TSFPlugin::InternalCoordinates z;
    z.addAtom(0);
    z.addAtom(1, 0);
    z.addAtom(2, 1, 0);
    z.addAtom(3, 2, 1, 0);
    return z;
}

std::vector<Vec3> BondedChain::positions() const {
    const double b = bondLength, c = std::cos(M_PI - angle), s = std::sin(M_PI - angle);
    return {Vec3(0, 0, 0), Vec3(b, 0, 0), Vec3(b + b * c, b * s, 0), Vec3(2 * b + b * c, b * s, 0.05)};
}

double BondedChain::torsionEnergy(double phi) const {
    double energy = 0.0;
    for (size_t t = 0; t < torsionK.size(); t++)
        energy += torsionK[t] * (1.0 + std::cos(torsionPeriodicity[t] * phi - torsionPhase[t]));
    return energy;
}

void TSFTest::batchMean(const std::vector<double>& series, int batches, double& mean, double& standardError) {
    const int length = series.size() / batches;
    std::vector<double> means(batches, 0.0);
    for (int b = 0; b < batches; b++) {
        for (int i = 0; i < length; i++)
            means[b] += series[b * length + i];
        means[b] /= length;
    }
    mean = 0.0;
    for (double m : means)
        mean += m;
    mean /= batches;
    double variance = 0.0;
    for (double m : means)
        variance += (m - mean) * (m - mean);
    standardError = std::sqrt(variance / (batches - 1) / batches);
}
