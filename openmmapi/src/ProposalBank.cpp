// SPDX-License-Identifier: MIT
#include "openmmtsf/internal/ProposalBank.h"
#include "openmmtsf/TSFIntegrator.h"
#include "openmm/OpenMMException.h"
#include <istream>
#include <ostream>

using namespace TSFPlugin;
using OpenMM::OpenMMException;

void ProposalBank::seed(int randomNumberSeed) {
    random.seed(randomNumberSeed, 2);
    drawnFrom = random;
    size = cursor = 0;
    restoredCursor = -1;
    temperatures.clear();
}

void ProposalBank::take(int proposalsPerFlowCall, int numReplicas, int valuesPerProposal, LatentMoveBatch& batch) {
    const int K = proposalsPerFlowCall;
    if (K != size) {
        size = cursor = K;
        restoredCursor = -1;
    }
    if (restoredCursor >= 0) {
        // A bank restored from a checkpoint: the same draws give the same proposals.
        random = drawnFrom;
        cursor = size;
    }
    if (cursor == size) {
        drawnFrom = random;
        batch.bankNoise.resize((size_t) numReplicas * K * valuesPerProposal);
        for (double& value : batch.bankNoise)
            value = random.normal();
        batch.refillBank = true;
        cursor = (restoredCursor >= 0 ? restoredCursor : 0);
        restoredCursor = -1;
    }
    batch.bankSize = K;
    batch.bankIndex = cursor;
}

void ProposalBank::advance() {
    cursor++;
}

bool ProposalBank::keepFor(const std::vector<double>& ladder) {
    if (ladder == temperatures)
        return true;
    temperatures = ladder;
    discard();
    return false;
}

void ProposalBank::discard() {
    cursor = size;
    restoredCursor = -1;
}

void ProposalBank::write(std::ostream& stream, int proposalsPerFlowCall) const {
    const int numbers[3] = {proposalsPerFlowCall, size, cursor};
    stream.write((const char*) numbers, sizeof(numbers));
    random.write(stream);
    drawnFrom.write(stream);
}

int ProposalBank::read(std::istream& stream, const std::vector<double>& ladder) {
    int numbers[3];
    stream.read((char*) numbers, sizeof(numbers));
    if (!stream)
        throw OpenMMException("TSFIntegrator checkpoint: truncated");
    const int maximum = TSFIntegrator::MaxProposalsPerFlowCall;
    if (numbers[0] < 1 || numbers[0] > maximum || numbers[1] < 0 || numbers[1] > maximum || numbers[2] < 0 || numbers[2] > numbers[1])
        throw OpenMMException("TSFIntegrator checkpoint: corrupt bank of prior proposals");
    random.read(stream);
    drawnFrom.read(stream);
    size = numbers[1];
    cursor = numbers[2];
    restoredCursor = (cursor < size ? cursor : -1);
    temperatures = ladder;
    return numbers[0];
}
