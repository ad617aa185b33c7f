// SPDX-License-Identifier: MIT
/*
 * Side-by-side benchmark of the platforms named on the command line ("Reference", "CPU", "OpenCL:mixed",
 * "CUDA:single", ...), for machines without the Python stack (tests/gpu/device-check.sh runs it):
 *  - IC transform throughput, forward plus inverse of alanine dipeptide, configurations per second for batches of
 *    1, 64 and 4096 (median of 5 timings), with the ratio to the first platform;
 *  - TSF replica-exchange step time with 8 replicas of alanine dipeptide under harmonic bonds and a miniature
 *    TSF of the same size, in ms per step, and the share of energies, flow calls and the IC transform.
 */
#include "TestModels.h"
#include "TestMolecules.h"
#include "TestPlatforms.h"
#include "openmmtsf/InternalCoordinateTransform.h"
#include "openmmtsf/TSFForce.h"
#include "openmmtsf/TSFIntegrator.h"
#include "openmm/Context.h"
#include "openmm/HarmonicBondForce.h"
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

using namespace TSFPlugin;
using namespace TSFTest;
using std::vector;

namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

/** Configurations per second of forward plus inverse for one batch size, over at least 0.3 s. */
double icThroughput(InternalCoordinateTransform& transform, const vector<double>& positions, int batch) {
    const vector<double> frames = transform.extractFrames(positions);
    vector<double> ic, logDet, x, logDet2;
    vector<int> outOfRange;
    int calls = 0;
    const auto start = std::chrono::steady_clock::now();
    do {
        transform.forward(positions, ic, logDet);
        transform.inverse(ic, frames, x, logDet2, outOfRange);
        calls++;
    } while (secondsSince(start) < 0.3);
    return calls * (double) batch / secondsSince(start);
}

/** ms per step of TSF replica exchange with 8 replicas, and the split of its time. */
void replicaExchangeStep(const std::string& key, const TestMolecule& molecule, const InternalCoordinates& z, const vector<double>& mean) {
    OpenMM::System system;
    for (size_t i = 0; i < molecule.positions.size(); i++)
        system.addParticle(12.0);
    auto* bonds = new OpenMM::HarmonicBondForce();
    for (const auto& bond : molecule.bonds) {
        const OpenMM::Vec3 d = molecule.positions[bond.first] - molecule.positions[bond.second];
        bonds->addBond(bond.first, bond.second, std::sqrt(d.dot(d)), 2e5);
    }
    system.addForce(bonds);
    system.addForce(new TSFForce(miniatureTSF(mean, vector<double>(mean.size(), std::log(0.02)), 600.0), z, TSFForce::ModelBytes));
    vector<double> temperatures;
    for (int r = 0; r < 8; r++)
        temperatures.push_back(300.0 * std::pow(2.0, r / 7.0));
    TSFIntegrator integrator(temperatures);
    integrator.setRandomNumberSeed(1);
    integrator.setPriorMoveProbability(0.1);
    OpenMM::Context context(system, integrator, platformOf(key), propertiesOf(key));
    context.setPositions(molecule.positions);
    integrator.step(20);
    integrator.resetStatistics();
    const int steps = 200;
    const auto start = std::chrono::steady_clock::now();
    integrator.step(steps);
    const double total = secondsSince(start);
    const double stepSeconds = integrator.getSecondsSpent(TSFIntegrator::TotalPart);
    std::printf("%-16s %10.3f %9.1f%% %9.1f%% %9.1f%%\n", key.c_str(), 1000.0 * total / steps,
            100.0 * integrator.getSecondsSpent(TSFIntegrator::EnergyPart) / stepSeconds,
            100.0 * integrator.getSecondsSpent(TSFIntegrator::FlowPart) / stepSeconds,
            100.0 * integrator.getSecondsSpent(TSFIntegrator::InternalCoordinatePart) / stepSeconds);
}

} // namespace

int main(int argc, char** argv) {
    loadOpenMMPlugins();
    registerTestedKernels();
    vector<std::string> keys(argv + 1, argv + argc);
    if (keys.empty())
        keys = platformsUnderTest();
    const TestMolecule molecule = alanineDipeptide();
    const InternalCoordinates z = InternalCoordinates::createFromBonds(molecule.particles(), molecule.bonds, molecule.hydrogens);
    const vector<double> start = flatten(molecule.positions);
    const vector<int> batches{1, 64, 4096};
    std::mt19937 random(0);
    std::normal_distribution<double> noise(0.0, 0.005);
    vector<vector<double> > batchPositions;
    for (int batch : batches) {
        vector<double> x;
        for (int b = 0; b < batch; b++)
            for (double value : start)
                x.push_back(value + noise(random));
        batchPositions.push_back(x);
    }

    std::printf("IC forward + inverse, alanine dipeptide: configurations/s (median of 5), ratio to %s\n", keys[0].c_str());
    vector<double> first;
    for (const std::string& key : keys) {
        InternalCoordinateTransform transform(z, platformOf(key), propertiesOf(key));
        std::printf("%-16s", key.c_str());
        vector<double> rates;
        for (size_t i = 0; i < batches.size(); i++) {
            vector<double> timings;
            for (int repeat = 0; repeat < 5; repeat++)
                timings.push_back(icThroughput(transform, batchPositions[i], batches[i]));
            rates.push_back(median(timings));
        }
        if (first.empty())
            first = rates;
        for (size_t i = 0; i < batches.size(); i++)
            std::printf("  B=%-4d %11.0f (%6.2fx)", batches[i], rates[i], rates[i] / first[i]);
        std::printf("\n");
    }

    vector<double> mean, logDet;
    InternalCoordinateTransform reference(z, OpenMM::Platform::getPlatformByName("Reference"));
    reference.forward(start, mean, logDet);
    std::printf("\nTSF replica exchange, 8 replicas, 200 steps\n%-16s %10s %10s %10s %10s\n", "platform", "ms/step", "energies",
            "flow", "IC");
    for (const std::string& key : keys)
        replicaExchangeStep(key, molecule, z, mean);
    return 0;
}
