// SPDX-License-Identifier: MIT
#include "openmmtsf/InternalCoordinates.h"
#include "openmm/OpenMMException.h"
#include <algorithm>
#include <cmath>
#include <sstream>

using namespace TSFPlugin;
using OpenMM::OpenMMException;
using std::vector;

namespace {

std::string describeRow(int row, int particle) {
    std::stringstream s;
    s << "Z-matrix row " << row << " (particle " << particle << ")";
    return s.str();
}

} // namespace

InternalCoordinates::InternalCoordinates() : numBonds(0) {
}

int InternalCoordinates::addAtom(int particle, int bondPartner, int anglePartner, int torsionPartner) {
    const int row = rows.size();
    const std::string where = describeRow(row, particle);
    if (particle < 0)
        throw OpenMMException(where + ": particle index must not be negative");
    const int partners[3] = {bondPartner, anglePartner, torsionPartner};
    const int expected = std::min(row, 3);
    for (int p = 0; p < 3; p++) {
        const bool given = (partners[p] != -1);
        if (given != (p < expected)) {
            std::stringstream s;
            s << where << ": row " << row << " needs exactly " << expected
              << " partner(s) (bond, angle, torsion in that order); use -1 for the others";
            throw OpenMMException(s.str());
        }
    }
    auto isPlaced = [this](int q) {
        for (const Row& r : rows)
            if (r.particle == q)
                return true;
        return false;
    };
    if (isPlaced(particle))
        throw OpenMMException(where + ": particle " + std::to_string(particle) + " is placed twice");
    for (int p = 0; p < expected; p++) {
        if (!isPlaced(partners[p]))
            throw OpenMMException(where + ": partner " + std::to_string(partners[p]) + " is not placed yet");
        for (int q = 0; q < p; q++)
            if (partners[p] == partners[q])
                throw OpenMMException(where + ": partner " + std::to_string(partners[p]) + " is used twice");
    }
    rows.push_back(Row{particle, bondPartner, anglePartner, torsionPartner, 0.0});
    sortedParticles.insert(std::lower_bound(sortedParticles.begin(), sortedParticles.end(), particle), particle);
    updateIndices();
    return row;
}

int InternalCoordinates::getNumAtoms() const {
    return rows.size();
}

void InternalCoordinates::getAtom(int row, int& particle, int& bondPartner, int& anglePartner, int& torsionPartner) const {
    if (row < 0 || row >= (int) rows.size())
        throw OpenMMException("Z-matrix row index " + std::to_string(row) + " is out of range");
    const Row& r = rows[row];
    particle = r.particle;
    bondPartner = r.bondPartner;
    anglePartner = r.anglePartner;
    torsionPartner = r.torsionPartner;
}

void InternalCoordinates::setFixedBondLength(int row, double lengthNm) {
    if (row < 1 || row >= (int) rows.size())
        throw OpenMMException("setFixedBondLength: row " + std::to_string(row) + " has no bond");
    if (!(lengthNm >= 0.0) || !std::isfinite(lengthNm))
        throw OpenMMException("setFixedBondLength: the length of a bond must be positive and finite (nm), or 0 to free it");
    rows[row].fixedBondLength = lengthNm;
    updateIndices();
}

double InternalCoordinates::getFixedBondLength(int row) const {
    if (row < 0 || row >= (int) rows.size())
        throw OpenMMException("Z-matrix row index " + std::to_string(row) + " is out of range");
    return rows[row].fixedBondLength;
}

void InternalCoordinates::applyConstraints(const OpenMM::System& system) {
    validate(system.getNumParticles());
    vector<double> fixed(rows.size());
    for (int c = 0; c < system.getNumConstraints(); c++) {
        int p1, p2;
        double distance;
        system.getConstraintParameters(c, p1, p2, distance);
        const bool in1 = std::binary_search(sortedParticles.begin(), sortedParticles.end(), p1);
        const bool in2 = std::binary_search(sortedParticles.begin(), sortedParticles.end(), p2);
        if (!in1 && !in2)
            continue;
        int row = -1;
        for (int r = 1; r < (int) rows.size() && row < 0; r++)
            if ((rows[r].particle == p1 && rows[r].bondPartner == p2) || (rows[r].particle == p2 && rows[r].bondPartner == p1))
                row = r;
        if (row < 0) {
            std::stringstream s;
            s << "Constraint " << c << " between particles " << p1 << " and " << p2
              << " is not a bond of the Z-matrix, so the internal coordinates cannot represent it";
            throw OpenMMException(s.str());
        }
        if (!(distance > 0.0) || !std::isfinite(distance))
            throw OpenMMException("Constraint " + std::to_string(c) + " has length " + std::to_string(distance) +
                    " nm; a constrained bond must be positive and finite");
        fixed[row] = distance;
    }
    for (int r = 0; r < (int) rows.size(); r++)
        rows[r].fixedBondLength = fixed[r];
    updateIndices();
}

const vector<int>& InternalCoordinates::getParticles() const {
    return sortedParticles;
}

int InternalCoordinates::getNumInternalCoordinates() const {
    return numBonds + getNumAngles() + getNumTorsions();
}

int InternalCoordinates::getNumBonds() const {
    return numBonds;
}

int InternalCoordinates::getNumAngles() const {
    return std::max(0, (int) rows.size() - 2);
}

int InternalCoordinates::getNumTorsions() const {
    return std::max(0, (int) rows.size() - 3);
}

int InternalCoordinates::getBondIndex(int row) const {
    return (row >= 0 && row < (int) rows.size()) ? bondIndex[row] : -1;
}

int InternalCoordinates::getAngleIndex(int row) const {
    return (row >= 0 && row < (int) rows.size()) ? angleIndex[row] : -1;
}

int InternalCoordinates::getTorsionIndex(int row) const {
    return (row >= 0 && row < (int) rows.size()) ? torsionIndex[row] : -1;
}

int InternalCoordinates::findTorsion(int a, int b, int c, int d) const {
    for (int r = 3; r < (int) rows.size(); r++) {
        const Row& w = rows[r];
        if ((w.particle == a && w.bondPartner == b && w.anglePartner == c && w.torsionPartner == d) ||
            (w.particle == d && w.bondPartner == c && w.anglePartner == b && w.torsionPartner == a))
            return torsionIndex[r];
    }
    return -1;
}

void InternalCoordinates::validate(int numParticles) const {
    if (rows.size() < 3)
        throw OpenMMException("A Z-matrix needs at least three particles; this one has " + std::to_string(rows.size()));
    for (int r = 0; r < (int) rows.size(); r++)
        if (rows[r].particle >= numParticles) {
            std::stringstream s;
            s << describeRow(r, rows[r].particle) << ": particle index is out of range for a System of "
              << numParticles << " particles";
            throw OpenMMException(s.str());
        }
}

void InternalCoordinates::updateIndices() {
    const int numRows = rows.size();
    bondIndex.assign(numRows, -1);
    angleIndex.assign(numRows, -1);
    torsionIndex.assign(numRows, -1);
    numBonds = 0;
    for (int r = 1; r < numRows; r++)
        if (rows[r].fixedBondLength == 0.0)
            bondIndex[r] = numBonds++;
    for (int r = 2; r < numRows; r++)
        angleIndex[r] = numBonds + (r - 2);
    for (int r = 3; r < numRows; r++)
        torsionIndex[r] = numBonds + getNumAngles() + (r - 3);
}
