// SPDX-License-Identifier: MIT
#include "openmmtsf/internal/ReplicaExchange.h"
#include "openmmtsf/internal/LatentMetropolis.h"
#include "openmm/OpenMMException.h"
#include <algorithm>
#include <cmath>
#include <istream>
#include <ostream>

using namespace TSFPlugin;

void ReplicaExchange::reset(int numReplicas) {
    walkers.resize(numReplicas);
    for (int i = 0; i < numReplicas; i++)
        walkers[i] = i;
    lastExtreme.assign(numReplicas, -1);
    rounds = 0;
}

void ReplicaExchange::attempt(const std::vector<double>& temperatures, std::vector<double>& energies, bool allPairs,
        TSFRandom& random, TSFStatistics& statistics, const std::function<void(int, int)>& swap) {
    const int numReplicas = walkers.size();
    if (numReplicas < 2)
        return;
    if (!allPairs) {
        for (int i = rounds % 2; i + 1 < numReplicas; i += 2)
            tryPair(i, i + 1, temperatures, energies, random, statistics, swap);
    }
    else {
        for (int attempt = 0; attempt < numReplicas * numReplicas; attempt++) {
            const int i = random.integer(numReplicas);
            int j = random.integer(numReplicas - 1);
            if (j >= i)
                j++;
            tryPair(i, j, temperatures, energies, random, statistics, swap);
        }
    }
    rounds++;
    countRoundTrips(temperatures, statistics);
}

void ReplicaExchange::tryPair(int i, int j, const std::vector<double>& temperatures, std::vector<double>& energies, TSFRandom& random,
        TSFStatistics& statistics, const std::function<void(int, int)>& swap) {
    const int numReplicas = walkers.size();
    const double betaI = 1.0 / (BOLTZMANN_KJ_PER_MOL_K * temperatures[i]), betaJ = 1.0 / (BOLTZMANN_KJ_PER_MOL_K * temperatures[j]);
    const double logAcceptance = (betaI - betaJ) * (energies[i] - energies[j]);
    statistics.exchangesAttempted[i * numReplicas + j]++;
    statistics.exchangesAttempted[j * numReplicas + i]++;
    if (logAcceptance >= 0.0 || random.uniform() < std::exp(logAcceptance)) {
        statistics.exchangesAccepted[i * numReplicas + j]++;
        statistics.exchangesAccepted[j * numReplicas + i]++;
        std::swap(energies[i], energies[j]);
        std::swap(walkers[i], walkers[j]);
        swap(i, j);
    }
}

void ReplicaExchange::countRoundTrips(const std::vector<double>& temperatures, TSFStatistics& statistics) {
    const int lowest = std::min_element(temperatures.begin(), temperatures.end()) - temperatures.begin();
    const int highest = std::max_element(temperatures.begin(), temperatures.end()) - temperatures.begin();
    const int walkerAtLowest = walkers[lowest], walkerAtHighest = walkers[highest];
    if (lastExtreme[walkerAtLowest] == highest)
        statistics.roundTrips[walkerAtLowest]++;
    lastExtreme[walkerAtLowest] = lowest;
    // A round trip starts at the lowest temperature: only walkers that have been there count as arriving at the top.
    if (lastExtreme[walkerAtHighest] == lowest)
        lastExtreme[walkerAtHighest] = highest;
}

void ReplicaExchange::write(std::ostream& stream) const {
    const int size = walkers.size();
    stream.write((const char*) &size, sizeof(size));
    stream.write((const char*) walkers.data(), size * sizeof(int));
    stream.write((const char*) lastExtreme.data(), size * sizeof(int));
    stream.write((const char*) &rounds, sizeof(rounds));
}

void ReplicaExchange::read(std::istream& stream) {
    int size;
    stream.read((char*) &size, sizeof(size));
    if (!stream || size != (int) walkers.size())
        throw OpenMM::OpenMMException("TSFIntegrator checkpoint: it was written for a different number of replicas");
    std::vector<int> readWalkers(size), readExtremes(size);
    long long readRounds;
    stream.read((char*) readWalkers.data(), size * sizeof(int));
    stream.read((char*) readExtremes.data(), size * sizeof(int));
    stream.read((char*) &readRounds, sizeof(readRounds));
    if (!stream)
        throw OpenMM::OpenMMException("TSFIntegrator checkpoint: truncated");
    std::vector<bool> seen(size, false);
    for (int i = 0; i < size; i++) {
        if (readWalkers[i] < 0 || readWalkers[i] >= size || seen[readWalkers[i]])
            throw OpenMM::OpenMMException("TSFIntegrator checkpoint: corrupt walkers (not a permutation of the replicas)");
        seen[readWalkers[i]] = true;
        if (readExtremes[i] < -1 || readExtremes[i] >= size)
            throw OpenMM::OpenMMException("TSFIntegrator checkpoint: corrupt round-trip state");
    }
    if (readRounds < 0)
        throw OpenMM::OpenMMException("TSFIntegrator checkpoint: corrupt exchange count");
    walkers = readWalkers;
    lastExtreme = readExtremes;
    rounds = readRounds;
}
