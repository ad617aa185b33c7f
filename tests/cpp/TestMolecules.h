// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_TEST_MOLECULES_H_
#define OPENMM_TSF_TEST_MOLECULES_H_

#include "openmm/Vec3.h"
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace TSFTest {

/** A molecule for tests: a bond graph, its hydrogens and one configuration (nm). */
struct TestMolecule {
    std::vector<std::pair<int, int> > bonds;
    std::vector<int> hydrogens;
    std::vector<OpenMM::Vec3> positions;
    std::vector<int> particles() const;
};

/** Alanine dipeptide (ACE-ALA-NME, 22 atoms in PDB order) with an idealised extended geometry. */
TestMolecule alanineDipeptide();

/** Atom indices of alanine dipeptide's phi (C-N-CA-C) and psi (N-CA-C-N) in PDB order. */
extern const int ALA2_PHI[4];
extern const int ALA2_PSI[4];

/** A random tree-shaped molecule of numAtoms atoms with bonds of 0.1-0.16 nm and no atom of degree > 4. */
TestMolecule randomMolecule(int numAtoms, std::mt19937& random);

/** The positions flattened as [M, 3] in increasing particle index. */
std::vector<double> flatten(const std::vector<OpenMM::Vec3>& positions);

/** The IUPAC dihedral a-b-c-d in radians, computed from scratch. */
double dihedralOf(const OpenMM::Vec3& a, const OpenMM::Vec3& b, const OpenMM::Vec3& c, const OpenMM::Vec3& d);

/** log|det A| of a square row-major matrix, by Gaussian elimination with partial pivoting. */
double logAbsDeterminant(std::vector<double> matrix, int size);

} // namespace TSFTest

#endif
