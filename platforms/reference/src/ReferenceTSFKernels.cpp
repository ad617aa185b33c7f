// SPDX-License-Identifier: MIT
/*
 * Internal coordinates on the host.
 *
 * Jacobian. Write the frame as (x_0, alpha, beta, gamma): root atom 0's position, the polar angle alpha and
 * azimuth beta of the unit vector u from root atom 0 to root atom 1, and the rotation gamma of root atom 2's
 * half-plane about u. Then every atom i >= 1 sits at spherical coordinates (b_i, polar angle, azimuth) about
 * an axis fixed by atoms placed before it: atom 1 about the lab z axis with polar angle alpha and azimuth
 * beta, atom 2 about the root bond with polar angle theta_2 and azimuth gamma, and atom i >= 3 about the
 * bond j-k with polar angle pi - theta_i and azimuth phi_i. The map is block-triangular in placement order,
 * each block a spherical volume element, so
 *     |det dx/d(frame, IC)| = sin(alpha) * prod_{i >= 1} b_i^2 * prod_{i >= 2} sin(theta_i).
 */
#include "ReferenceTSFKernels.h"
#include "openmm/OpenMMException.h"
#include <cmath>
#include <sstream>

using namespace TSFPlugin;
using OpenMM::OpenMMException;
using OpenMM::Vec3;
using std::vector;

namespace {

/** The smallest |sin| between reference directions that still defines a plane. */
const double MIN_SINE = 1e-8;

Vec3 load(const double* data, int index) {
    return Vec3(data[3 * index], data[3 * index + 1], data[3 * index + 2]);
}

double norm(const Vec3& v) {
    return std::sqrt(v.dot(v));
}

/** The angle at j between i and k, in [0, pi]. */
double angle(const Vec3& xi, const Vec3& xj, const Vec3& xk) {
    const Vec3 a = xi - xj, b = xk - xj;
    return std::atan2(norm(a.cross(b)), a.dot(b));
}

/** The IUPAC dihedral i-j-k-l, in (-pi, pi]. */
double dihedral(const Vec3& xi, const Vec3& xj, const Vec3& xk, const Vec3& xl) {
    const Vec3 b1 = xj - xi, b2 = xk - xj, b3 = xl - xk;
    const Vec3 n1 = b1.cross(b2), n2 = b2.cross(b3);
    const double phi = std::atan2(norm(b2) * b1.dot(n2), n1.dot(n2));
    return phi == -M_PI ? M_PI : phi;
}

/** sin of the polar angle of u against the lab z axis. */
double polarSine(const Vec3& u) {
    return std::sqrt(u[0] * u[0] + u[1] * u[1]) / norm(u);
}

/** Whether a and b are (anti)parallel or one of them is zero. */
bool collinear(const Vec3& a, const Vec3& b) {
    return !(norm(a.cross(b)) > MIN_SINE * norm(a) * norm(b));
}

/** The unit vectors u (root 0 -> root 1) and w (in the root plane, towards root 2, perpendicular to u). */
void frameAxes(const double* frame, Vec3& u, Vec3& w) {
    const Vec3 x0 = load(frame, 0), x1 = load(frame, 1), x2 = load(frame, 2);
    u = x1 - x0;
    Vec3 v = x2 - x0;
    if (collinear(u, v))
        throw OpenMMException("The frame's three root atoms are coincident or collinear, so they define no orientation");
    u /= norm(u);
    w = v - u * u.dot(v);
    w /= norm(w);
}

/** The gradient through y = a / |a|. */
Vec3 normalizeVjp(const Vec3& y, double length, const Vec3& gradY) {
    return (gradY - y * y.dot(gradY)) / length;
}

} // namespace

void ReferenceCalcInternalCoordinatesKernel::initialize(const InternalCoordinates& definition) {
    rows = flattenZMatrix(definition);
    numAtoms = definition.getNumAtoms();
    numCoordinates = definition.getNumInternalCoordinates();
    numBonds = definition.getNumBonds();
    numAngles = definition.getNumAngles();
}

void ReferenceCalcInternalCoordinatesKernel::forward(int numConfigurations, const vector<double>& positions,
        vector<double>& coordinates, vector<double>& logDetJacobian) {
    coordinates.resize((size_t) numConfigurations * numCoordinates);
    logDetJacobian.resize(numConfigurations);
    for (int c = 0; c < numConfigurations; c++) {
        const double* x = &positions[(size_t) c * 3 * numAtoms];
        double* ic = &coordinates[(size_t) c * numCoordinates];
        auto fail = [c](const std::string& what) {
            throw OpenMMException("Configuration " + std::to_string(c) + ": " + what);
        };
        const Vec3 root0 = load(x, rows[0].atom), root1 = load(x, rows[1].atom), root2 = load(x, rows[2].atom);
        if (collinear(root1 - root0, root2 - root0))
            fail("the three root atoms are coincident or collinear");
        double logDet = std::log(polarSine(root1 - root0));
        for (int r = 1; r < numAtoms; r++) {
            const ZMatrixRow& row = rows[r];
            const Vec3 xi = load(x, row.atom), xj = load(x, row.bondPartner);
            const double bond = norm(xi - xj);
            if (!(bond > 0.0))
                fail("atom " + std::to_string(row.atom) + " coincides with its bond partner");
            if (row.bondIndex >= 0)
                ic[row.bondIndex] = bond;
            logDet += 2.0 * std::log(row.bondIndex >= 0 ? bond : row.fixedBondLength);
            if (r < 2)
                continue;
            const Vec3 xk = load(x, row.anglePartner);
            const double theta = angle(xi, xj, xk);
            ic[row.angleIndex] = theta;
            logDet += std::log(std::sin(theta));
            if (r < 3)
                continue;
            const Vec3 xl = load(x, row.torsionPartner);
            if (collinear(xj - xk, xl - xk))
                fail("the torsion references of Z-matrix row " + std::to_string(r) + " are collinear");
            ic[row.torsionIndex] = dihedral(xi, xj, xk, xl);
        }
        logDetJacobian[c] = -logDet;
    }
}

bool ReferenceCalcInternalCoordinatesKernel::isOutOfRange(const double* ic) const {
    for (int i = 0; i < numBonds; i++)
        if (!(ic[i] > 0.0 && std::isfinite(ic[i])))
            return true;
    for (int i = numBonds; i < numBonds + numAngles; i++)
        if (!(ic[i] > 0.0 && ic[i] < M_PI))
            return true;
    for (int i = numBonds + numAngles; i < numCoordinates; i++)
        if (!(ic[i] > -M_PI && ic[i] <= M_PI))
            return true;
    return false;
}

double ReferenceCalcInternalCoordinatesKernel::placeAtoms(const double* ic, const double* frame, Vec3* x) const {
    Vec3 u, w;
    frameAxes(frame, u, w);
    auto bondLength = [ic](const ZMatrixRow& row) {
        return row.bondIndex >= 0 ? ic[row.bondIndex] : row.fixedBondLength;
    };
    double logDet = std::log(polarSine(u));
    x[rows[0].atom] = load(frame, 0);
    const double b1 = bondLength(rows[1]);
    x[rows[1].atom] = x[rows[0].atom] + u * b1;
    logDet += 2.0 * std::log(std::fabs(b1));
    for (int r = 2; r < numAtoms; r++) {
        const ZMatrixRow& row = rows[r];
        const double b = bondLength(row), theta = ic[row.angleIndex];
        const Vec3 xj = x[row.bondPartner], xk = x[row.anglePartner];
        logDet += 2.0 * std::log(std::fabs(b)) + std::log(std::fabs(std::sin(theta)));
        if (r == 2) {
            const Vec3 e = (row.bondPartner == rows[0].atom ? u : -u);
            x[row.atom] = xj + (e * std::cos(theta) + w * std::sin(theta)) * b;
            continue;
        }
        const double phi = ic[row.torsionIndex];
        const Vec3 a = xj - xk, bc = a / norm(a);
        const Vec3 nr = (xk - x[row.torsionPartner]).cross(bc), n = nr / norm(nr);
        const Vec3 m = n.cross(bc);
        x[row.atom] = xj + bc * (-b * std::cos(theta)) + m * (b * std::sin(theta) * std::cos(phi)) + n * (b * std::sin(theta) * std::sin(phi));
    }
    return logDet;
}

void ReferenceCalcInternalCoordinatesKernel::inverse(int numConfigurations, const vector<double>& coordinates, const vector<double>& frames,
        vector<double>& positions, vector<double>& logDetJacobian, vector<int>& outOfRange) {
    positions.resize((size_t) numConfigurations * 3 * numAtoms);
    logDetJacobian.resize(numConfigurations);
    outOfRange.resize(numConfigurations);
    const bool sharedFrame = (frames.size() == 9);
    for (int c = 0; c < numConfigurations; c++) {
        const double* ic = &coordinates[(size_t) c * numCoordinates];
        Vec3* x = reinterpret_cast<Vec3*>(&positions[(size_t) c * 3 * numAtoms]);
        logDetJacobian[c] = placeAtoms(ic, &frames[sharedFrame ? 0 : 9 * c], x);
        bool finite = std::isfinite(logDetJacobian[c]);
        for (int i = 0; i < numAtoms; i++)
            finite = finite && std::isfinite(x[i][0]) && std::isfinite(x[i][1]) && std::isfinite(x[i][2]);
        outOfRange[c] = (!finite || isOutOfRange(ic)) ? 1 : 0;
    }
}

void ReferenceCalcInternalCoordinatesKernel::inverseVjp(int numConfigurations, const vector<double>& coordinates, const vector<double>& frames,
        const vector<double>& positionsGradient, const vector<double>& logDetGradient, vector<double>& coordinatesGradient) {
    coordinatesGradient.assign((size_t) numConfigurations * numCoordinates, 0.0);
    vector<Vec3> x(numAtoms), gradX(numAtoms);
    const bool sharedFrame = (frames.size() == 9);
    for (int c = 0; c < numConfigurations; c++) {
        const double* ic = &coordinates[(size_t) c * numCoordinates];
        const double* frame = &frames[sharedFrame ? 0 : 9 * c];
        double* gradIc = &coordinatesGradient[(size_t) c * numCoordinates];
        const double gradLogDet = logDetGradient[c];
        placeAtoms(ic, frame, x.data());
        for (int i = 0; i < numAtoms; i++)
            gradX[i] = load(&positionsGradient[(size_t) c * 3 * numAtoms], i);
        for (int r = numAtoms - 1; r >= 3; r--) {
            const ZMatrixRow& row = rows[r];
            const double b = row.bondIndex >= 0 ? ic[row.bondIndex] : row.fixedBondLength;
            const double theta = ic[row.angleIndex], phi = ic[row.torsionIndex];
            const double cosTheta = std::cos(theta), sinTheta = std::sin(theta), cosPhi = std::cos(phi), sinPhi = std::sin(phi);
            const Vec3 a = x[row.bondPartner] - x[row.anglePartner];
            const double aLength = norm(a);
            const Vec3 bc = a / aLength;
            const Vec3 c3 = x[row.anglePartner] - x[row.torsionPartner];
            const Vec3 nr = c3.cross(bc);
            const double nrLength = norm(nr);
            const Vec3 n = nr / nrLength, m = n.cross(bc);
            const double d1 = -b * cosTheta, d2 = b * sinTheta * cosPhi, d3 = b * sinTheta * sinPhi;
            const Vec3 g = gradX[row.atom];
            const double gradD1 = bc.dot(g), gradD2 = m.dot(g), gradD3 = n.dot(g);
            Vec3 gradBc = g * d1, gradN = g * d3;
            const Vec3 gradM = g * d2;
            gradN += bc.cross(gradM);
            gradBc += gradM.cross(n);
            const Vec3 gradNr = normalizeVjp(n, nrLength, gradN);
            const Vec3 gradC = bc.cross(gradNr);
            gradBc += gradNr.cross(c3);
            const Vec3 gradA = normalizeVjp(bc, aLength, gradBc);
            gradX[row.bondPartner] += g + gradA;
            gradX[row.anglePartner] += gradC - gradA;
            gradX[row.torsionPartner] -= gradC;
            if (row.bondIndex >= 0)
                gradIc[row.bondIndex] = -cosTheta * gradD1 + sinTheta * cosPhi * gradD2 + sinTheta * sinPhi * gradD3 + 2.0 * gradLogDet / b;
            gradIc[row.angleIndex] = b * (sinTheta * gradD1 + cosTheta * cosPhi * gradD2 + cosTheta * sinPhi * gradD3) + gradLogDet * cosTheta / sinTheta;
            gradIc[row.torsionIndex] = b * sinTheta * (cosPhi * gradD3 - sinPhi * gradD2);
        }
        Vec3 u, w;
        frameAxes(frame, u, w);
        const ZMatrixRow& row2 = rows[2];
        const double b2 = row2.bondIndex >= 0 ? ic[row2.bondIndex] : row2.fixedBondLength, theta2 = ic[row2.angleIndex];
        const Vec3 e = (row2.bondPartner == rows[0].atom ? u : -u);
        const Vec3 g2 = gradX[row2.atom];
        gradX[row2.bondPartner] += g2;
        if (row2.bondIndex >= 0)
            gradIc[row2.bondIndex] = (e * std::cos(theta2) + w * std::sin(theta2)).dot(g2) + 2.0 * gradLogDet / b2;
        gradIc[row2.angleIndex] = b2 * (w * std::cos(theta2) - e * std::sin(theta2)).dot(g2) + gradLogDet * std::cos(theta2) / std::sin(theta2);
        const ZMatrixRow& row1 = rows[1];
        if (row1.bondIndex >= 0)
            gradIc[row1.bondIndex] = u.dot(gradX[row1.atom]) + 2.0 * gradLogDet / ic[row1.bondIndex];
    }
}
