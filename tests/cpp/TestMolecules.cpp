// SPDX-License-Identifier: MIT
#include "TestMolecules.h"
#include <cmath>
#include <utility>

using namespace TSFTest;
using OpenMM::Vec3;
using std::vector;

const int TSFTest::ALA2_PHI[4] = {4, 6, 8, 14};
const int TSFTest::ALA2_PSI[4] = {6, 8, 14, 16};

vector<int> TestMolecule::particles() const {
    vector<int> result;
    for (int i = 0; i < (int) positions.size(); i++)
        result.push_back(i);
    return result;
}

TestMolecule TSFTest::alanineDipeptide() {
    // examples/data/alanine-dipeptide.pdb, in nm.
    TestMolecule molecule;
    molecule.positions = {
        Vec3(-0.0379, -0.0505, 0.0992), Vec3(-0.0065, -0.0036, 0.0059), Vec3(-0.0454, 0.0981, 0.0013),
        Vec3(-0.0447, -0.0611, -0.0784), Vec3(0.1447, -0.0006, -0.0002), Vec3(0.2041, 0.1069, -0.0091),
        Vec3(0.2065, -0.1186, 0.0050), Vec3(0.1495, -0.2018, 0.0110), Vec3(0.3520, -0.1355, -0.0027),
        Vec3(0.3980, -0.0611, 0.0623), Vec3(0.3884, -0.2739, 0.0526), Vec3(0.3446, -0.3517, -0.0099),
        Vec3(0.4967, -0.2860, 0.0535), Vec3(0.3510, -0.2842, 0.1545), Vec3(0.4080, -0.1138, -0.1454),
        Vec3(0.3384, -0.1342, -0.2456), Vec3(0.5363, -0.0754, -0.1541), Vec3(0.5874, -0.0618, -0.0681),
        Vec3(0.6076, -0.0516, -0.2798), Vec3(0.5578, 0.0269, -0.3367), Vec3(0.7102, -0.0208, -0.2594),
        Vec3(0.6094, -0.1427, -0.3395)};
    molecule.bonds = {{0, 1}, {1, 2}, {1, 3}, {1, 4}, {4, 5}, {4, 6}, {6, 7}, {6, 8}, {8, 9}, {8, 10}, {10, 11},
        {10, 12}, {10, 13}, {8, 14}, {14, 15}, {14, 16}, {16, 17}, {16, 18}, {18, 19}, {18, 20}, {18, 21}};
    molecule.hydrogens = {0, 2, 3, 7, 9, 11, 12, 13, 17, 19, 20, 21};
    return molecule;
}

TestMolecule TSFTest::randomMolecule(int numAtoms, std::mt19937& random) {
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::normal_distribution<double> normal(0.0, 1.0);
    TestMolecule molecule;
    vector<int> degree(numAtoms, 0);
    molecule.positions.push_back(Vec3(uniform(random), uniform(random), uniform(random)));
    for (int i = 1; i < numAtoms; i++) {
        int parent;
        do {
            parent = std::uniform_int_distribution<int>(0, i - 1)(random);
        } while (degree[parent] >= 4);
        degree[parent]++;
        degree[i]++;
        molecule.bonds.emplace_back(parent, i);
        Vec3 direction(normal(random), normal(random), normal(random));
        direction /= std::sqrt(direction.dot(direction));
        molecule.positions.push_back(molecule.positions[parent] + direction * (0.1 + 0.06 * uniform(random)));
    }
    for (int i = 0; i < numAtoms; i++)
        if (degree[i] == 1 && uniform(random) < 0.5)
            molecule.hydrogens.push_back(i);
    return molecule;
}

vector<double> TSFTest::flatten(const vector<Vec3>& positions) {
    vector<double> result;
    for (const Vec3& p : positions)
        for (int d = 0; d < 3; d++)
            result.push_back(p[d]);
    return result;
}

double TSFTest::dihedralOf(const Vec3& a, const Vec3& b, const Vec3& c, const Vec3& d) {
    // The angle between the planes (a, b, c) and (b, c, d), signed by the right-hand rule about b -> c.
    Vec3 axis = c - b;
    axis /= std::sqrt(axis.dot(axis));
    Vec3 v = a - b, w = d - c;
    v -= axis * axis.dot(v);
    w -= axis * axis.dot(w);
    return std::atan2(axis.cross(v).dot(w), v.dot(w));
}

double TSFTest::logAbsDeterminant(vector<double> a, int n) {
    double result = 0.0;
    for (int col = 0; col < n; col++) {
        int pivot = col;
        for (int row = col + 1; row < n; row++)
            if (std::fabs(a[row * n + col]) > std::fabs(a[pivot * n + col]))
                pivot = row;
        for (int k = 0; k < n; k++)
            std::swap(a[col * n + k], a[pivot * n + k]);
        const double diagonal = a[col * n + col];
        result += std::log(std::fabs(diagonal));
        for (int row = col + 1; row < n; row++) {
            const double factor = a[row * n + col] / diagonal;
            for (int k = col; k < n; k++)
                a[row * n + k] -= factor * a[col * n + k];
        }
    }
    return result;
}
