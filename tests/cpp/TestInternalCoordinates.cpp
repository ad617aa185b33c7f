// SPDX-License-Identifier: MIT
/* The Z-matrix definition and its builder: structure, chemistry and every bad input. */
#include "TestMolecules.h"
#include "openmmtsf/InternalCoordinates.h"
#include "openmm/HarmonicBondForce.h"
#include "openmm/OpenMMException.h"
#include "TestAssertions.h"
#include <gtest/gtest.h>
#include <cmath>
#include <algorithm>

using namespace TSFPlugin;
using namespace TSFTest;
using OpenMM::OpenMMException;

namespace {

OpenMM::System alanineDipeptideSystem(bool constrainHydrogens) {
    const TestMolecule molecule = alanineDipeptide();
    OpenMM::System system;
    for (int i = 0; i < 22; i++)
        system.addParticle(std::count(molecule.hydrogens.begin(), molecule.hydrogens.end(), i) ? 1.008 : 12.01);
    auto* bonds = new OpenMM::HarmonicBondForce();
    for (const auto& bond : molecule.bonds) {
        const bool hydrogen = std::count(molecule.hydrogens.begin(), molecule.hydrogens.end(), bond.first) +
                std::count(molecule.hydrogens.begin(), molecule.hydrogens.end(), bond.second) > 0;
        if (constrainHydrogens && hydrogen)
            system.addConstraint(bond.first, bond.second, 0.109);
        else
            bonds->addBond(bond.first, bond.second, 0.15, 1e5);
    }
    system.addForce(bonds);
    return system;
}

} // namespace

TEST(InternalCoordinates, ExplicitZMatrixLaysOutTheVector) {
    InternalCoordinates z;
    z.addAtom(7);
    z.addAtom(3, 7);
    z.addAtom(5, 3, 7);
    z.addAtom(1, 5, 3, 7);
    z.addAtom(2, 5, 3, 1);
    EXPECT_EQ(5, z.getNumAtoms());
    EXPECT_EQ((std::vector<int>{1, 2, 3, 5, 7}), z.getParticles());
    EXPECT_EQ(4, z.getNumBonds());
    EXPECT_EQ(3, z.getNumAngles());
    EXPECT_EQ(2, z.getNumTorsions());
    EXPECT_EQ(9, z.getNumInternalCoordinates());
    EXPECT_EQ(-1, z.getBondIndex(0));
    EXPECT_EQ(0, z.getBondIndex(1));
    EXPECT_EQ(4, z.getAngleIndex(2));
    EXPECT_EQ(7, z.getTorsionIndex(3));
    EXPECT_EQ(7, z.findTorsion(7, 3, 5, 1));
    EXPECT_EQ(8, z.findTorsion(1, 3, 5, 2));
    EXPECT_EQ(-1, z.findTorsion(2, 5, 3, 7));
    z.setFixedBondLength(2, 0.1);
    EXPECT_EQ(3, z.getNumBonds());
    EXPECT_EQ(8, z.getNumInternalCoordinates());
    EXPECT_EQ(-1, z.getBondIndex(2));
    EXPECT_EQ(1, z.getBondIndex(3));
    EXPECT_EQ(3, z.getAngleIndex(2));
}

TEST(InternalCoordinates, BadRowsAreRejectedWithTheirReason) {
    InternalCoordinates z;
    EXPECT_THROW_WITH(z.addAtom(-1), "must not be negative");
    z.addAtom(0);
    EXPECT_THROW_WITH(z.addAtom(0, 0), "placed twice");
    EXPECT_THROW_WITH(z.addAtom(1, 4), "not placed yet");
    EXPECT_THROW_WITH(z.addAtom(1), "needs exactly 1 partner");
    z.addAtom(1, 0);
    EXPECT_THROW_WITH(z.addAtom(2, 1, 1), "used twice");
    EXPECT_THROW_WITH(z.addAtom(2, 1, 0, 5), "needs exactly 2 partner");
    z.addAtom(2, 1, 0);
    EXPECT_THROW_WITH(z.addAtom(3, 2, 1, 9), "not placed yet");
    EXPECT_EQ(3, z.getNumAtoms()) << "a rejected row must leave the definition unchanged";
    EXPECT_THROW_WITH(z.validate(2), "out of range");
    EXPECT_THROW_WITH(z.setFixedBondLength(0, 0.1), "has no bond");
    EXPECT_THROW_WITH(z.setFixedBondLength(1, -0.1), "must be positive");
    EXPECT_THROW_WITH(z.setFixedBondLength(1, INFINITY), "must be positive and finite");
    EXPECT_THROW_WITH(z.setFixedBondLength(1, std::nan("")), "must be positive and finite");
    EXPECT_EQ(0.0, z.getFixedBondLength(1));
    InternalCoordinates small;
    small.addAtom(0);
    EXPECT_THROW_WITH(small.validate(10), "at least three");
}

TEST(InternalCoordinates, BuilderRejectsDisconnectedMoleculesAndBadIndices) {
    const std::vector<std::pair<int, int> > bonds{{0, 1}, {1, 2}, {3, 4}, {4, 5}};
    EXPECT_THROW_WITH(InternalCoordinates::createFromBonds({0, 1, 2, 3, 4, 5}, bonds, {}), "disconnected");
    EXPECT_THROW_WITH(InternalCoordinates::createFromBonds({0, 1, 1}, bonds, {}), "listed twice");
    EXPECT_THROW_WITH(InternalCoordinates::createFromBonds({0, 1}, bonds, {}), "at least three");
    OpenMM::System system = alanineDipeptideSystem(false);
    EXPECT_THROW_WITH(InternalCoordinates::createFromSystem(system, {0, 1, 22}), "out of range");
    EXPECT_THROW_WITH(InternalCoordinates::createFromSystem(system, {0, 1, 5}), "disconnected");
}

TEST(InternalCoordinates, AlanineDipeptideHasPhiAndPsiAsTorsions) {
    const TestMolecule molecule = alanineDipeptide();
    const InternalCoordinates z = InternalCoordinates::createFromBonds(molecule.particles(), molecule.bonds, molecule.hydrogens);
    ASSERT_EQ(22, z.getNumAtoms());
    EXPECT_EQ(60, z.getNumInternalCoordinates());
    const int phi = z.findTorsion(ALA2_PHI[0], ALA2_PHI[1], ALA2_PHI[2], ALA2_PHI[3]);
    const int psi = z.findTorsion(ALA2_PSI[0], ALA2_PSI[1], ALA2_PSI[2], ALA2_PSI[3]);
    EXPECT_GE(phi, 0);
    EXPECT_GE(psi, 0);
    // Heavy atoms first, and the root is a chain of heavy atoms.
    bool seenHydrogen = false;
    for (int row = 0; row < z.getNumAtoms(); row++) {
        int particle, j, k, l;
        z.getAtom(row, particle, j, k, l);
        const bool hydrogen = std::count(molecule.hydrogens.begin(), molecule.hydrogens.end(), particle) > 0;
        EXPECT_FALSE(seenHydrogen && !hydrogen) << "heavy atom in row " << row << " after a hydrogen";
        seenHydrogen = seenHydrogen || hydrogen;
    }
}

TEST(InternalCoordinates, EveryBuiltBondIsAChemicalBond) {
    std::mt19937 random(2024);
    for (int trial = 0; trial < 20; trial++) {
        const TestMolecule molecule = randomMolecule(3 + trial * 2, random);
        const InternalCoordinates z = InternalCoordinates::createFromBonds(molecule.particles(), molecule.bonds, molecule.hydrogens);
        ASSERT_EQ((int) molecule.positions.size(), z.getNumAtoms());
        for (int row = 1; row < z.getNumAtoms(); row++) {
            int particle, j, k, l;
            z.getAtom(row, particle, j, k, l);
            const bool bonded = std::count(molecule.bonds.begin(), molecule.bonds.end(), std::make_pair(particle, j)) +
                    std::count(molecule.bonds.begin(), molecule.bonds.end(), std::make_pair(j, particle)) > 0;
            EXPECT_TRUE(bonded) << "row " << row << " bonds " << particle << " to " << j;
        }
    }
}

TEST(InternalCoordinates, HydrogenConstraintsFixBondsAndShortenTheVector) {
    const OpenMM::System system = alanineDipeptideSystem(true);
    const InternalCoordinates z = InternalCoordinates::createFromSystem(system);
    EXPECT_EQ(12, 21 - z.getNumBonds());
    EXPECT_EQ(3 * 22 - 6 - 12, z.getNumInternalCoordinates());
    for (int row = 1; row < z.getNumAtoms(); row++)
        if (z.getBondIndex(row) < 0)
            EXPECT_DOUBLE_EQ(0.109, z.getFixedBondLength(row));
    EXPECT_GE(z.findTorsion(ALA2_PHI[0], ALA2_PHI[1], ALA2_PHI[2], ALA2_PHI[3]), 0);
}

TEST(InternalCoordinates, ConstraintOutsideTheZMatrixIsAnError) {
    OpenMM::System system = alanineDipeptideSystem(true);
    InternalCoordinates z = InternalCoordinates::createFromSystem(system);
    system.addConstraint(0, 2, 0.18); // H-H across a methyl group: no Z-matrix bond
    EXPECT_THROW_WITH(z.applyConstraints(system), "cannot represent");
    EXPECT_EQ(12, 21 - z.getNumBonds()) << "a failed applyConstraints must leave the definition unchanged";
    EXPECT_THROW_WITH(InternalCoordinates::createFromSystem(system), "cannot represent");
}

TEST(InternalCoordinates, AConstraintOfInfiniteLengthIsAnError) {
    OpenMM::System system = alanineDipeptideSystem(true);
    InternalCoordinates z = InternalCoordinates::createFromSystem(system);
    int p1, p2;
    double length;
    system.getConstraintParameters(0, p1, p2, length);
    system.setConstraintParameters(0, p1, p2, INFINITY);
    EXPECT_THROW_WITH(z.applyConstraints(system), "must be positive and finite");
    EXPECT_EQ(12, 21 - z.getNumBonds()) << "a failed applyConstraints must leave the definition unchanged";
}
