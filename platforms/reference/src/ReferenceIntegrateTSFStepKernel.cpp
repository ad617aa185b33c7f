// SPDX-License-Identifier: MIT
#include "ReferenceIntegrateTSFStepKernel.h"
#include "openmm/internal/ContextImpl.h"
#include <algorithm>

using namespace TSFPlugin;
using OpenMM::Vec3;
using std::vector;

void ReferenceIntegrateTSFStepKernel::initializeReplicas(const OpenMM::System& system, const InternalCoordinates& definition,
        const OpenMM::Kernel& icKernel, int numReplicas) {
    internalCoordinatesKernel = icKernel;
    internalCoordinates = &internalCoordinatesKernel.getAs<CalcInternalCoordinatesKernel>();
    particles = definition.getParticles();
    rootLocal.clear();
    for (int row = 0; row < 3; row++) {
        int particle, j, k, l;
        definition.getAtom(row, particle, j, k, l);
        rootLocal.push_back(std::lower_bound(particles.begin(), particles.end(), particle) - particles.begin());
    }
    replicaPositions.assign(numReplicas, vector<Vec3>());
}

void ReferenceIntegrateTSFStepKernel::storeContextPositions(OpenMM::ContextImpl& context, int replica) {
    if (replica >= 0)
        context.getPositions(replicaPositions[replica]);
    else {
        context.getPositions(replicaPositions[0]);
        std::fill(replicaPositions.begin() + 1, replicaPositions.end(), replicaPositions[0]);
    }
}

void ReferenceIntegrateTSFStepKernel::loadReplicaIntoContext(OpenMM::ContextImpl& context, int replica) {
    context.setPositions(replicaPositions[replica]);
    context.computeVirtualSites();
}

void ReferenceIntegrateTSFStepKernel::computeReplicaCoordinates(vector<double>& coordinates, vector<double>& logDetToIc) {
    const int numReplicas = replicaPositions.size(), numAtoms = particles.size();
    moleculePositions.resize((size_t) numReplicas * numAtoms * 3);
    frames.resize((size_t) numReplicas * 9);
    for (int r = 0; r < numReplicas; r++) {
        for (int a = 0; a < numAtoms; a++)
            for (int d = 0; d < 3; d++)
                moleculePositions[3 * ((size_t) r * numAtoms + a) + d] = replicaPositions[r][particles[a]][d];
        for (int root = 0; root < 3; root++)
            for (int d = 0; d < 3; d++)
                frames[9 * r + 3 * root + d] = moleculePositions[3 * ((size_t) r * numAtoms + rootLocal[root]) + d];
    }
    internalCoordinates->forward(numReplicas, moleculePositions, coordinates, logDetToIc);
}

void ReferenceIntegrateTSFStepKernel::placeTrials(const vector<double>& coordinates, vector<double>& logDetFromIc, vector<int>& outOfRange) {
    internalCoordinates->inverse(replicaPositions.size(), coordinates, frames, trialMoleculePositions, logDetFromIc, outOfRange);
}

void ReferenceIntegrateTSFStepKernel::loadTrialIntoContext(OpenMM::ContextImpl& context, int replica) {
    const size_t offset = (size_t) replica * particles.size() * 3;
    trial = replicaPositions[replica];
    for (size_t a = 0; a < particles.size(); a++)
        trial[particles[a]] = Vec3(trialMoleculePositions[offset + 3 * a], trialMoleculePositions[offset + 3 * a + 1],
                trialMoleculePositions[offset + 3 * a + 2]);
    context.setPositions(trial);
    context.computeVirtualSites();
}

void ReferenceIntegrateTSFStepKernel::acceptTrial(int replica) {
    // The base class evaluates each trial right before deciding on it, so `trial` belongs to this replica.
    std::swap(replicaPositions[replica], trial);
}

void ReferenceIntegrateTSFStepKernel::swapReplicas(int replica1, int replica2) {
    std::swap(replicaPositions[replica1], replicaPositions[replica2]);
}

void ReferenceIntegrateTSFStepKernel::downloadReplica(int replica, vector<Vec3>& positions) {
    positions = replicaPositions[replica];
}

void ReferenceIntegrateTSFStepKernel::uploadReplica(int replica, const vector<Vec3>& positions) {
    replicaPositions[replica] = positions;
}
