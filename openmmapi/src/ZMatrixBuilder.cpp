// SPDX-License-Identifier: MIT
/*
 * Automatic Z-matrix construction from a bond graph (InternalCoordinates::createFromBonds and
 * InternalCoordinates::createFromSystem).
 */
#include "openmmtsf/InternalCoordinates.h"
#include "openmm/HarmonicBondForce.h"
#include "openmm/OpenMMException.h"
#include <algorithm>
#include <deque>
#include <map>
#include <sstream>

using namespace TSFPlugin;
using OpenMM::OpenMMException;
using std::vector;

namespace {

/** Adjacency lists over local indices 0..M-1. */
typedef vector<vector<int> > Graph;

/** Breadth-first distances from start over the atoms allowed by `use`; -1 where unreachable. */
vector<int> distancesFrom(const Graph& graph, int start, const vector<bool>& use, vector<int>& parent) {
    vector<int> distance(graph.size(), -1);
    parent.assign(graph.size(), -1);
    std::deque<int> queue{start};
    distance[start] = 0;
    while (!queue.empty()) {
        int a = queue.front();
        queue.pop_front();
        for (int b : graph[a])
            if (use[b] && distance[b] < 0) {
                distance[b] = distance[a] + 1;
                parent[b] = a;
                queue.push_back(b);
            }
    }
    return distance;
}

/** The longest shortest path (found by a double sweep) within the component of start. */
vector<int> longestChain(const Graph& graph, int start, const vector<bool>& use) {
    vector<int> parent;
    vector<int> distance = distancesFrom(graph, start, use, parent);
    const int end1 = std::max_element(distance.begin(), distance.end()) - distance.begin();
    distance = distancesFrom(graph, end1, use, parent);
    int end2 = std::max_element(distance.begin(), distance.end()) - distance.begin();
    vector<int> chain;
    for (int a = end2; a != -1; a = parent[a])
        chain.push_back(a);
    return chain; // from end2 back to end1
}

} // namespace

InternalCoordinates InternalCoordinates::createFromBonds(const vector<int>& particles,
        const vector<std::pair<int, int> >& bonds, const vector<int>& hydrogens) {
    vector<int> sorted = particles;
    std::sort(sorted.begin(), sorted.end());
    for (int i = 0; i < (int) sorted.size(); i++) {
        if (sorted[i] < 0)
            throw OpenMMException("Z-matrix builder: particle index " + std::to_string(sorted[i]) + " is negative");
        if (i > 0 && sorted[i] == sorted[i - 1])
            throw OpenMMException("Z-matrix builder: particle " + std::to_string(sorted[i]) + " is listed twice");
    }
    const int numAtoms = sorted.size();
    if (numAtoms < 3)
        throw OpenMMException("Z-matrix builder: a Z-matrix needs at least three particles; got " + std::to_string(numAtoms));
    std::map<int, int> localIndex;
    for (int i = 0; i < numAtoms; i++)
        localIndex[sorted[i]] = i;
    Graph graph(numAtoms);
    for (const auto& bond : bonds) {
        auto a = localIndex.find(bond.first), b = localIndex.find(bond.second);
        if (a == localIndex.end() || b == localIndex.end() || a->second == b->second)
            continue;
        graph[a->second].push_back(b->second);
        graph[b->second].push_back(a->second);
    }
    for (auto& neighbors : graph) {
        std::sort(neighbors.begin(), neighbors.end());
        neighbors.erase(std::unique(neighbors.begin(), neighbors.end()), neighbors.end());
    }
    vector<bool> heavy(numAtoms, true), all(numAtoms, true);
    for (int h : hydrogens) {
        auto it = localIndex.find(h);
        if (it != localIndex.end())
            heavy[it->second] = false;
    }

    vector<int> unusedParent;
    vector<int> distance = distancesFrom(graph, 0, all, unusedParent);
    for (int i = 0; i < numAtoms; i++)
        if (distance[i] < 0) {
            std::stringstream s;
            s << "Z-matrix builder: the molecule is disconnected: no chain of bonds links particle " << sorted[0]
              << " to particle " << sorted[i];
            throw OpenMMException(s.str());
        }

    // The root is the end of the longest heavy-atom chain, or of the longest chain if too few heavy atoms.
    vector<int> chain;
    const int firstHeavy = std::find(heavy.begin(), heavy.end(), true) - heavy.begin();
    if (firstHeavy < numAtoms)
        chain = longestChain(graph, firstHeavy, heavy);
    if (chain.size() < 3)
        chain = longestChain(graph, 0, all);

    // Breadth-first placement, heavy atoms before hydrogens; parent = the placed atom that reached it.
    vector<int> parent(numAtoms, -1), order;
    vector<bool> queued(numAtoms, false);
    std::deque<int> heavyQueue, lightQueue;
    auto place = [&](int a) {
        order.push_back(a);
        for (int b : graph[a])
            if (!queued[b]) {
                queued[b] = true;
                parent[b] = a;
                (heavy[b] ? heavyQueue : lightQueue).push_back(b);
            }
    };
    for (int r = 0; r < 3; r++)
        queued[chain[r]] = true;
    parent[chain[1]] = chain[0];
    parent[chain[2]] = chain[1];
    for (int r = 0; r < 3; r++)
        place(chain[r]);
    while (!heavyQueue.empty() || !lightQueue.empty()) {
        std::deque<int>& queue = heavyQueue.empty() ? lightQueue : heavyQueue;
        int a = queue.front();
        queue.pop_front();
        place(a);
    }

    vector<int> rank(numAtoms, -1);
    for (int r = 0; r < numAtoms; r++)
        rank[order[r]] = r;
    // From the first candidate list that has one, the earliest placed atom that is not excluded.
    auto pick = [&](std::initializer_list<const vector<int>*> candidateLists, std::initializer_list<int> excluded, int before) {
        for (const vector<int>* candidates : candidateLists) {
            int best = -1;
            for (int c : *candidates)
                if (c >= 0 && rank[c] < before && std::find(excluded.begin(), excluded.end(), c) == excluded.end() &&
                        (best < 0 || rank[c] < rank[best]))
                    best = c;
            if (best >= 0)
                return best;
        }
        return -1;
    };
    InternalCoordinates result;
    for (int r = 0; r < numAtoms; r++) {
        const int i = order[r];
        int j = -1, k = -1, l = -1;
        if (r >= 1)
            j = parent[i];
        if (r >= 2) {
            const vector<int> parentOfJ{parent[j]};
            k = pick({&parentOfJ, &graph[j], &order}, {i, j}, r);
        }
        if (r >= 3) {
            // A hydrogen is placed relative to a sibling on the same atom where there is one, so that its
            // torsion is a narrow offset (about 120 degrees in a methyl group) rather than a second copy of the
            // group's rotation; heavy atoms follow the chain, which keeps backbone torsions such as phi and psi.
            const vector<int> parentOfK{parent[k]};
            const vector<int> none;
            l = pick({heavy[i] ? &none : &graph[j], &parentOfK, &graph[k], &graph[j], &order}, {i, j, k}, r);
        }
        auto particle = [&](int a) { return a < 0 ? -1 : sorted[a]; };
        result.addAtom(particle(i), particle(j), particle(k), particle(l));
    }
    return result;
}

InternalCoordinates InternalCoordinates::createFromSystem(const OpenMM::System& system, const vector<int>& particles) {
    const int numParticles = system.getNumParticles();
    vector<int> selected = particles;
    if (selected.empty())
        for (int i = 0; i < numParticles; i++)
            selected.push_back(i);
    for (int p : selected)
        if (p < 0 || p >= numParticles) {
            std::stringstream s;
            s << "Z-matrix builder: particle index " << p << " is out of range for a System of " << numParticles << " particles";
            throw OpenMMException(s.str());
        }
    vector<std::pair<int, int> > bonds;
    for (int f = 0; f < system.getNumForces(); f++) {
        const auto* bondForce = dynamic_cast<const OpenMM::HarmonicBondForce*>(&system.getForce(f));
        if (bondForce == nullptr)
            continue;
        for (int b = 0; b < bondForce->getNumBonds(); b++) {
            int p1, p2;
            double length, k;
            bondForce->getBondParameters(b, p1, p2, length, k);
            bonds.emplace_back(p1, p2);
        }
    }
    for (int c = 0; c < system.getNumConstraints(); c++) {
        int p1, p2;
        double distance;
        system.getConstraintParameters(c, p1, p2, distance);
        bonds.emplace_back(p1, p2);
    }
    const double maxHydrogenMassAmu = 4.5;
    vector<int> hydrogens;
    for (int p : selected)
        if (system.getParticleMass(p) < maxHydrogenMassAmu)
            hydrogens.push_back(p);
    InternalCoordinates result = createFromBonds(selected, bonds, hydrogens);
    result.applyConstraints(system);
    return result;
}
