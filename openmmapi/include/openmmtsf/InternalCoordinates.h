// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_INTERNAL_COORDINATES_H_
#define OPENMM_TSF_INTERNAL_COORDINATES_H_

#include "openmm/System.h"
#include <utility>
#include <vector>

namespace TSFPlugin {

/**
 * The definition of a molecule's internal coordinates: a Z-matrix over a subset of a System's particles.
 *
 * Rows are added in placement order. Each row places one particle i from up to three particles placed
 * before it: a bond partner j (bond length |x_i - x_j| in nm), an angle partner k (the angle i-j-k in
 * radians, in (0, pi)) and a torsion partner l (the dihedral i-j-k-l in radians, in (-pi, pi]).
 * The first three rows form the root: row 0 has no partners, row 1 only a bond partner (row 0's
 * particle), and row 2 a bond and an angle partner (the particles of rows 0 and 1, in either order).
 *
 * The internal-coordinate (IC) vector lists the free bond lengths of rows 1..M-1, then the angles of
 * rows 2..M-1, then the torsions of rows 3..M-1. A bond held at a fixed length (for example by a
 * constraint) is left out of it, so the vector has 3M - 6 - (number of fixed bonds) entries.
 *
 * Batched positions handed to a transform list the particles of the definition in increasing
 * particle index (see getParticles()), not in row order.
 */
class InternalCoordinates {
public:
    /** Create an empty definition. */
    InternalCoordinates();
    /**
     * Append a row that places a particle.
     *
     * @param particle        the System index of the particle placed by this row
     * @param bondPartner     the particle it is bonded to, or -1 for row 0
     * @param anglePartner    the third particle of its angle, or -1 for rows 0 and 1
     * @param torsionPartner  the fourth particle of its torsion, or -1 for rows 0, 1 and 2
     * @return the index of the new row
     * @throws OpenMMException if the particle is already placed, a partner is not yet placed, partners
     *         repeat, or the number of partners does not fit the row
     */
    int addAtom(int particle, int bondPartner = -1, int anglePartner = -1, int torsionPartner = -1);
    /** Get the number of rows, which is the number of particles M the definition covers. */
    int getNumAtoms() const;
    /** Get a row's particle and partners (-1 where the row has none). */
    void getAtom(int row, int& particle, int& bondPartner, int& anglePartner, int& torsionPartner) const;
    /**
     * Hold a row's bond at a fixed length and leave it out of the IC vector.
     *
     * @param row       a row other than 0
     * @param lengthNm  the bond length in nm (> 0), or 0 to make the bond free again
     */
    void setFixedBondLength(int row, double lengthNm);
    /** Get a row's fixed bond length in nm, or 0 if its bond is free. */
    double getFixedBondLength(int row) const;
    /**
     * Fix every Z-matrix bond that one of the System's constraints holds, at the constraint distance.
     *
     * @throws OpenMMException if a constraint touches the definition's particles but is not one of its
     *         bonds, since the Z-matrix cannot represent it
     */
    void applyConstraints(const OpenMM::System& system);
    /** Get the particles the definition covers, in increasing index: the order of batched positions. */
    const std::vector<int>& getParticles() const;
    /** Get the length n of the IC vector. */
    int getNumInternalCoordinates() const;
    /** Get the number of free bond lengths, which come first in the IC vector. */
    int getNumBonds() const;
    /** Get the number of angles, which follow the bonds in the IC vector. */
    int getNumAngles() const;
    /** Get the number of torsions, which come last in the IC vector. */
    int getNumTorsions() const;
    /** Get the position of a row's bond length in the IC vector, or -1 if it has none or it is fixed. */
    int getBondIndex(int row) const;
    /** Get the position of a row's angle in the IC vector, or -1 if it has none. */
    int getAngleIndex(int row) const;
    /** Get the position of a row's torsion in the IC vector, or -1 if it has none. */
    int getTorsionIndex(int row) const;
    /**
     * Find the torsion over four particles, listed in either direction (a-b-c-d or d-c-b-a).
     *
     * @return its position in the IC vector, or -1 if no row defines that torsion
     */
    int findTorsion(int a, int b, int c, int d) const;
    /**
     * Check the definition against a System size.
     *
     * @throws OpenMMException if it has fewer than three rows or refers to a particle index outside
     *         [0, numParticles)
     */
    void validate(int numParticles) const;
    /**
     * Build a Z-matrix from a bond graph.
     *
     * The root is the start of the longest chain of heavy (non-hydrogen) atoms and every other particle is
     * placed from its bonded parent in a breadth-first order that places heavy atoms first. Angle and
     * torsion partners follow the chain of parents, so torsions are the chemically meaningful ones
     * (for a peptide backbone, phi and psi). A hydrogen's torsion partner is an earlier sibling on the same
     * atom where there is one, so that, for example, only the first hydrogen of a methyl group carries its
     * rotation.
     *
     * @param particles  the particles to cover (at least three)
     * @param bonds      pairs of bonded particles; pairs with a particle outside `particles` are ignored
     * @param hydrogens  the particles that are hydrogens
     * @throws OpenMMException if the particles are not connected by the bonds
     */
    static InternalCoordinates createFromBonds(const std::vector<int>& particles,
            const std::vector<std::pair<int, int> >& bonds, const std::vector<int>& hydrogens);
    /**
     * Build a Z-matrix from a System's HarmonicBondForce bonds and constraints, then apply its constraints
     * (see applyConstraints()). Particles lighter than 4.5 amu count as hydrogens, so that hydrogen mass
     * repartitioning does not change the result.
     *
     * @param system     the System
     * @param particles  the particles to cover; empty means all of them
     */
    static InternalCoordinates createFromSystem(const OpenMM::System& system,
            const std::vector<int>& particles = std::vector<int>());
private:
    struct Row {
        int particle, bondPartner, anglePartner, torsionPartner;
        double fixedBondLength;
    };
    void updateIndices();
    std::vector<Row> rows;
    std::vector<int> sortedParticles;
    std::vector<int> bondIndex, angleIndex, torsionIndex;
    int numBonds;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_INTERNAL_COORDINATES_H_*/
