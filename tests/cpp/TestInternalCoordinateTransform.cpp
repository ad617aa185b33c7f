// SPDX-License-Identifier: MIT
/*
 * The internal-coordinate kernel through InternalCoordinateTransform, on every platform under test
 * (TestPlatforms.h): round trips, the true Jacobian, the vector-Jacobian product, range reporting and bad input.
 * Tolerances are those of double precision, or of single precision where the platform computes in it.
 */
#include "TestMolecules.h"
#include "TestPlatforms.h"
#include "openmmtsf/InternalCoordinateTransform.h"
#include "openmm/OpenMMException.h"
#include "TestAssertions.h"
#include <gtest/gtest.h>
#include <cmath>

using namespace TSFPlugin;
using namespace TSFTest;
using OpenMM::OpenMMException;
using OpenMM::Vec3;
using std::vector;

namespace {

class InternalCoordinateTransformTest : public ::testing::TestWithParam<std::string> {
protected:
    std::unique_ptr<InternalCoordinateTransform> makeTransform(const InternalCoordinates& z) {
        return std::make_unique<InternalCoordinateTransform>(z, platformOf(GetParam()), propertiesOf(GetParam()));
    }
    /** A tolerance for double precision, or the one given for single precision. */
    double tolerance(double doublePrecision, double singlePrecision) const {
        return isSinglePrecision(GetParam()) ? singlePrecision : doublePrecision;
    }
    static InternalCoordinates zMatrixOf(const TestMolecule& molecule) {
        return InternalCoordinates::createFromBonds(molecule.particles(), molecule.bonds, molecule.hydrogens);
    }
};

double maxDifference(const vector<double>& a, const vector<double>& b) {
    double result = 0.0;
    for (size_t i = 0; i < a.size(); i++)
        result = std::max(result, std::fabs(a[i] - b[i]));
    return result;
}

/**
 * The frame (x0, alpha, beta, gamma) as the positions of three root atoms: root 1 along the unit vector
 * with polar angle alpha and azimuth beta, root 2 in the half-plane rotated by gamma about it.
 */
vector<double> frameFromAngles(const double* parameters) {
    const Vec3 x0(parameters[0], parameters[1], parameters[2]);
    const double alpha = parameters[3], beta = parameters[4], gamma = parameters[5];
    const Vec3 u(std::sin(alpha) * std::cos(beta), std::sin(alpha) * std::sin(beta), std::cos(alpha));
    const Vec3 e1(std::cos(alpha) * std::cos(beta), std::cos(alpha) * std::sin(beta), -std::sin(alpha));
    const Vec3 e2 = u.cross(e1);
    const Vec3 w = e1 * std::cos(gamma) + e2 * std::sin(gamma);
    return flatten({x0, x0 + u, x0 + w + u * 0.3});
}

} // namespace

TEST_P(InternalCoordinateTransformTest, RoundTripOfAlanineDipeptide) {
    const TestMolecule molecule = alanineDipeptide();
    auto transform = makeTransform(zMatrixOf(molecule));
    const vector<double> x = flatten(molecule.positions);
    vector<double> ic, forwardLogDet, x2, inverseLogDet;
    vector<int> outOfRange;
    transform->forward(x, ic, forwardLogDet);
    transform->inverse(ic, transform->extractFrames(x), x2, inverseLogDet, outOfRange);
    EXPECT_LT(maxDifference(x, x2), tolerance(1e-10, 2e-4));
    EXPECT_NEAR(0.0, forwardLogDet[0] + inverseLogDet[0], tolerance(1e-10, 1e-3));
    EXPECT_EQ(0, outOfRange[0]);
}

TEST_P(InternalCoordinateTransformTest, PhiAndPsiMatchAnIndependentDihedral) {
    const TestMolecule molecule = alanineDipeptide();
    const InternalCoordinates z = zMatrixOf(molecule);
    auto transform = makeTransform(z);
    vector<double> ic, logDet;
    transform->forward(flatten(molecule.positions), ic, logDet);
    const auto& p = molecule.positions;
    const double phi = dihedralOf(p[ALA2_PHI[0]], p[ALA2_PHI[1]], p[ALA2_PHI[2]], p[ALA2_PHI[3]]);
    const double psi = dihedralOf(p[ALA2_PSI[0]], p[ALA2_PSI[1]], p[ALA2_PSI[2]], p[ALA2_PSI[3]]);
    EXPECT_NEAR(phi, ic[z.findTorsion(ALA2_PHI[0], ALA2_PHI[1], ALA2_PHI[2], ALA2_PHI[3])], tolerance(1e-12, 1e-5));
    EXPECT_NEAR(psi, ic[z.findTorsion(ALA2_PSI[0], ALA2_PSI[1], ALA2_PSI[2], ALA2_PSI[3])], tolerance(1e-12, 1e-5));
    EXPECT_NEAR(-74.0 * M_PI / 180.0, phi, 0.05) << "the test structure itself has phi = -74 degrees";
}

TEST_P(InternalCoordinateTransformTest, BatchedRoundTripOfRandomMolecules) {
    std::mt19937 random(11);
    for (int trial = 0; trial < 10; trial++) {
        const int numAtoms = 4 + 3 * trial, batch = 5;
        const TestMolecule molecule = randomMolecule(numAtoms, random);
        auto transform = makeTransform(zMatrixOf(molecule));
        // Five configurations of the same molecule: jitter every atom.
        vector<double> x;
        std::normal_distribution<double> noise(0.0, 0.02);
        for (int b = 0; b < batch; b++)
            for (double value : flatten(molecule.positions))
                x.push_back(value + noise(random));
        vector<double> ic, forwardLogDet, x2, inverseLogDet;
        vector<int> outOfRange;
        transform->forward(x, ic, forwardLogDet);
        ASSERT_EQ((size_t) batch * transform->getNumInternalCoordinates(), ic.size());
        transform->inverse(ic, transform->extractFrames(x), x2, inverseLogDet, outOfRange);
        EXPECT_LT(maxDifference(x, x2), tolerance(1e-10, 2e-4)) << numAtoms << " atoms";
        for (int b = 0; b < batch; b++) {
            EXPECT_NEAR(0.0, forwardLogDet[b] + inverseLogDet[b], tolerance(1e-10, 1e-3));
            EXPECT_EQ(0, outOfRange[b]);
        }
        // Each configuration alone gives the same result as in the batch.
        vector<double> single(x.begin() + 3 * numAtoms, x.begin() + 6 * numAtoms), icSingle, logDetSingle;
        transform->forward(single, icSingle, logDetSingle);
        const int n = transform->getNumInternalCoordinates();
        EXPECT_EQ(vector<double>(ic.begin() + n, ic.begin() + 2 * n), icSingle);
        EXPECT_EQ(forwardLogDet[1], logDetSingle[0]);
    }
}

TEST_P(InternalCoordinateTransformTest, RoundTripWithFixedBonds) {
    std::mt19937 random(5);
    const TestMolecule molecule = randomMolecule(12, random);
    InternalCoordinates z = zMatrixOf(molecule);
    z.setFixedBondLength(1, 0.11);
    z.setFixedBondLength(7, 0.1);
    auto transform = makeTransform(z);
    // Positions that satisfy the fixed lengths: place the molecule from its own ICs.
    const vector<double> start = flatten(molecule.positions);
    vector<double> ic, logDet, x, logDet2, x2, logDet3, ic2;
    vector<int> outOfRange;
    transform->forward(start, ic, logDet);
    transform->inverse(ic, transform->extractFrames(start), x, logDet2, outOfRange);
    transform->forward(x, ic2, logDet);
    transform->inverse(ic2, transform->extractFrames(x), x2, logDet3, outOfRange);
    EXPECT_LT(maxDifference(x, x2), tolerance(1e-10, 2e-4));
    EXPECT_LT(maxDifference(ic, ic2), tolerance(1e-10, 2e-4));
    EXPECT_NEAR(0.0, logDet[0] + logDet3[0], tolerance(1e-10, 1e-3));
    for (int row : {1, 7}) {
        int i, j, k, l;
        z.getAtom(row, i, j, k, l);
        const Vec3 d(x[3 * i] - x[3 * j], x[3 * i + 1] - x[3 * j + 1], x[3 * i + 2] - x[3 * j + 2]);
        EXPECT_NEAR(z.getFixedBondLength(row), std::sqrt(d.dot(d)), tolerance(1e-12, 1e-6)) << "row " << row;
    }
}

TEST_P(InternalCoordinateTransformTest, LogDetIsTheFullFiniteDifferenceJacobian) {
    std::mt19937 random(3);
    std::uniform_real_distribution<double> angle(0.3, 2.8);
    for (int trial = 0; trial < 5; trial++) {
        const int numAtoms = 5 + trial;
        const TestMolecule molecule = randomMolecule(numAtoms, random);
        auto transform = makeTransform(zMatrixOf(molecule));
        vector<double> ic, logDet;
        transform->forward(flatten(molecule.positions), ic, logDet);
        // Parameters: frame (x0, alpha, beta, gamma), then the 3M - 6 ICs.
        vector<double> parameters{0.1, -0.2, 0.3, angle(random), angle(random), angle(random)};
        parameters.insert(parameters.end(), ic.begin(), ic.end());
        const int size = parameters.size();
        ASSERT_EQ(3 * numAtoms, size);
        auto positionsOf = [&](const vector<double>& q, double& inverseLogDet) {
            vector<double> x, ld;
            vector<int> outOfRange;
            transform->inverse(vector<double>(q.begin() + 6, q.end()), frameFromAngles(q.data()), x, ld, outOfRange);
            inverseLogDet = ld[0];
            return x;
        };
        double expected;
        positionsOf(parameters, expected);
        vector<double> jacobian(size * size);
        const double h = tolerance(1e-5, 1e-2);
        for (int col = 0; col < size; col++) {
            vector<double> plus = parameters, minus = parameters;
            plus[col] += h;
            minus[col] -= h;
            double unused;
            const vector<double> xPlus = positionsOf(plus, unused), xMinus = positionsOf(minus, unused);
            for (int row = 0; row < size; row++)
                jacobian[row * size + col] = (xPlus[row] - xMinus[row]) / (2 * h);
        }
        EXPECT_NEAR(logAbsDeterminant(jacobian, size), expected, tolerance(1e-6, 2e-2)) << numAtoms << " atoms";
    }
}

TEST_P(InternalCoordinateTransformTest, VectorJacobianProductMatchesFiniteDifferences) {
    std::mt19937 random(8);
    std::normal_distribution<double> normal(0.0, 1.0);
    for (int trial = 0; trial < 4; trial++) {
        const TestMolecule molecule = randomMolecule(6 + 4 * trial, random);
        InternalCoordinates z = zMatrixOf(molecule);
        z.setFixedBondLength(4, 0.12);
        auto transform = makeTransform(z);
        const vector<double> x0 = flatten(molecule.positions);
        const vector<double> frames = transform->extractFrames(x0);
        vector<double> ic, logDet;
        transform->forward(x0, ic, logDet);
        vector<double> gradX(x0.size()), gradLogDet{normal(random)};
        for (double& g : gradX)
            g = normal(random);
        auto loss = [&](const vector<double>& q) {
            vector<double> x, ld;
            vector<int> outOfRange;
            transform->inverse(q, frames, x, ld, outOfRange);
            double value = gradLogDet[0] * ld[0];
            for (size_t i = 0; i < x.size(); i++)
                value += gradX[i] * x[i];
            return value;
        };
        vector<double> gradIc;
        transform->inverseVjp(ic, frames, gradX, gradLogDet, gradIc);
        ASSERT_EQ(ic.size(), gradIc.size());
        // About eps^(1/3) of the precision, the step that balances a central difference's rounding and truncation
        // errors: in single precision a 1e-3 step left rounding noise of ~4e-3 in the difference (seen on CUDA).
        const double h = tolerance(1e-6, 4e-3);
        for (size_t i = 0; i < ic.size(); i++) {
            vector<double> plus = ic, minus = ic;
            plus[i] += h;
            minus[i] -= h;
            const double numeric = (loss(plus) - loss(minus)) / (2 * h);
            EXPECT_NEAR(numeric, gradIc[i], tolerance(1e-6, 2e-3) * (1.0 + std::fabs(numeric))) << "coordinate " << i;
        }
    }
}

TEST_P(InternalCoordinateTransformTest, OutOfRangeCoordinatesAreReportedNotWrapped) {
    const TestMolecule molecule = alanineDipeptide();
    const InternalCoordinates z = zMatrixOf(molecule);
    auto transform = makeTransform(z);
    const vector<double> x = flatten(molecule.positions);
    vector<double> ic, logDet;
    transform->forward(x, ic, logDet);
    const int n = ic.size();
    const int bond = 0, angle = z.getNumBonds(), torsion = z.getNumBonds() + z.getNumAngles();
    const struct { int index; double value; } bad[] = {{bond, -0.1}, {bond, 0.0}, {angle, 0.0}, {angle, M_PI}, {angle, 3.5}, {torsion, -M_PI},
        {torsion, 3.2}, {torsion, NAN}, {bond, INFINITY}};
    const int numBad = sizeof(bad) / sizeof(bad[0]);
    vector<double> batch;
    for (int b = 0; b < numBad; b++) {
        vector<double> row = ic;
        row[bad[b].index] = bad[b].value;
        batch.insert(batch.end(), row.begin(), row.end());
    }
    vector<double> edge = ic;
    edge[torsion] = M_PI; // the closed end of (-pi, pi]
    batch.insert(batch.end(), edge.begin(), edge.end());
    batch.insert(batch.end(), ic.begin(), ic.end());
    vector<double> positions, inverseLogDet;
    vector<int> outOfRange;
    transform->inverse(batch, transform->extractFrames(x), positions, inverseLogDet, outOfRange);
    ASSERT_EQ((size_t) numBad + 2, outOfRange.size());
    for (int b = 0; b < numBad; b++)
        EXPECT_EQ(1, outOfRange[b]) << "case " << b;
    EXPECT_EQ(0, outOfRange[numBad]);
    EXPECT_EQ(0, outOfRange[numBad + 1]);
    EXPECT_EQ((size_t) (numBad + 2) * n, batch.size()) << "the input must not be modified";
    EXPECT_EQ(3.2, batch[6 * n + torsion]) << "an out-of-range torsion must not be wrapped";
}

TEST_P(InternalCoordinateTransformTest, BadShapesAndDegenerateGeometryAreErrors) {
    const TestMolecule molecule = alanineDipeptide();
    auto transform = makeTransform(zMatrixOf(molecule));
    vector<double> x = flatten(molecule.positions), ic, logDet, positions;
    vector<int> outOfRange;
    EXPECT_THROW_WITH(transform->forward(vector<double>(x.begin(), x.end() - 1), ic, logDet), "Wrong shape");
    EXPECT_THROW_WITH(transform->forward(vector<double>(), ic, logDet), "Wrong shape");
    transform->forward(x, ic, logDet);
    EXPECT_THROW_WITH(transform->inverse(vector<double>(ic.begin(), ic.end() - 2), transform->extractFrames(x), positions, logDet, outOfRange), "Wrong shape");
    EXPECT_THROW_WITH(transform->inverse(ic, vector<double>(6, 0.0), positions, logDet, outOfRange), "frames");
    EXPECT_THROW_WITH(transform->inverseVjp(ic, transform->extractFrames(x), vector<double>(5), {1.0}, positions), "Wrong shape");
    // Collinear root atoms: put root atom 2 on the line through roots 0 and 1.
    const vector<double> frames = transform->extractFrames(x);
    vector<double> collinearFrame = frames;
    for (int d = 0; d < 3; d++)
        collinearFrame[6 + d] = 2 * frames[3 + d] - frames[d];
    EXPECT_THROW_WITH(transform->inverse(ic, collinearFrame, positions, logDet, outOfRange), "collinear");
    InternalCoordinates chain;
    for (int i = 0; i < 5; i++)
        chain.addAtom(i, i > 0 ? i - 1 : -1, i > 1 ? i - 2 : -1, i > 2 ? i - 3 : -1);
    auto chainTransform = makeTransform(chain);
    const vector<double> straightRoot{0, 0, 0, 0.1, 0, 0, 0.2, 0, 0, 0.25, 0.1, 0, 0.3, 0.1, 0.1};
    EXPECT_THROW_WITH(chainTransform->forward(straightRoot, ic, logDet), "root atoms are coincident or collinear");
    const vector<double> straightTorsionReferences{0, 0.1, 0, 0.1, 0, 0, 0.2, 0, 0, 0.3, 0, 0, 0.4, 0.1, 0};
    EXPECT_THROW_WITH(chainTransform->forward(straightTorsionReferences, ic, logDet), "row 4 are collinear");
}

INSTANTIATE_TEST_SUITE_P(Platforms, InternalCoordinateTransformTest, ::testing::ValuesIn(platformsUnderTest()));
