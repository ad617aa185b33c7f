// SPDX-License-Identifier: MIT
#include "CommonCalcInternalCoordinatesKernel.h"
#include "CommonTSFKernelSources.h"
#include "openmm/OpenMMException.h"
#include "openmm/common/ContextSelector.h"
#include <algorithm>
#include <cmath>
#include <map>

using namespace TSFPlugin;
using OpenMM::OpenMMException;
using std::vector;

namespace {

/** Threads that share one configuration. */
const int CONFIGURATION_BLOCK_SIZE = 32;

/** Status codes of kernels/internalCoordinates.cc. */
const int STATUS_ROOT_COLLINEAR = 1, STATUS_COINCIDENT_BOND = 2;

/** The generation of each row: 0, 1, 2 for the roots, then one more than the latest of the row's partners. */
vector<int> generationsOf(const vector<ZMatrixRow>& rows) {
    vector<int> generationOfAtom(rows.size(), 0), generations(rows.size(), 0);
    for (size_t r = 0; r < rows.size(); r++) {
        int generation = (int) std::min<size_t>(r, 2);
        if (r >= 3)
            generation = 1 + std::max({generationOfAtom[rows[r].bondPartner], generationOfAtom[rows[r].anglePartner],
                    generationOfAtom[rows[r].torsionPartner]});
        generations[r] = generation;
        generationOfAtom[rows[r].atom] = generation;
    }
    return generations;
}

} // namespace

CommonCalcInternalCoordinatesKernel::CommonCalcInternalCoordinatesKernel(std::string name, const OpenMM::Platform& platform,
        OpenMM::ComputeContext& cc) : CalcInternalCoordinatesKernel(name, platform), cc(cc), mixedArrays(cc), hostKernel(name, platform),
        capacity(0) {
}

void CommonCalcInternalCoordinatesKernel::initialize(const InternalCoordinates& definition) {
    hostKernel.initialize(definition);
    const vector<ZMatrixRow> original = flattenZMatrix(definition);
    const vector<int> generations = generationsOf(original);
    vector<int> order(original.size());
    for (size_t r = 0; r < order.size(); r++)
        order[r] = r;
    std::stable_sort(order.begin(), order.end(), [&generations](int a, int b) { return generations[a] < generations[b]; });
    const int numGenerations = generations.empty() ? 0 : *std::max_element(generations.begin(), generations.end()) + 1;
    rows.clear();
    originalRows = order;
    vector<OpenMM::mm_int4> atoms, indices;
    vector<double> fixed;
    vector<int> starts(numGenerations + 1, 0);
    for (int r : order) {
        const ZMatrixRow& row = original[r];
        rows.push_back(row);
        atoms.push_back(OpenMM::mm_int4(row.atom, row.bondPartner, row.anglePartner, row.torsionPartner));
        indices.push_back(OpenMM::mm_int4(row.bondIndex, row.angleIndex, row.torsionIndex, 0));
        fixed.push_back(row.fixedBondLength);
        starts[generations[r] + 1]++;
    }
    for (int g = 0; g < numGenerations; g++)
        starts[g + 1] += starts[g];
    numAtoms = definition.getNumAtoms();
    numCoordinates = definition.getNumInternalCoordinates();

    OpenMM::ContextSelector selector(cc);
    rowAtoms.initialize<OpenMM::mm_int4>(cc, numAtoms, "tsfRowAtoms");
    rowIndices.initialize<OpenMM::mm_int4>(cc, numAtoms, "tsfRowIndices");
    fixedBonds.initialize(cc, numAtoms, mixedArrays.scalarSize(), "tsfFixedBonds");
    generationStart.initialize<int>(cc, numGenerations + 1, "tsfGenerationStart");
    placementOrder.initialize<int>(cc, numAtoms, "tsfPlacementOrder");
    rowAtoms.upload(atoms);
    rowIndices.upload(indices);
    mixedArrays.upload(fixedBonds, fixed.data(), fixed.size());
    generationStart.upload(starts);
    placementOrder.upload(originalRows);
    std::map<std::string, std::string> defines;
    defines["NUM_ATOMS"] = cc.intToString(numAtoms);
    defines["NUM_COORDINATES"] = cc.intToString(numCoordinates);
    defines["NUM_BONDS"] = cc.intToString(definition.getNumBonds());
    defines["NUM_ANGLES"] = cc.intToString(definition.getNumAngles());
    defines["NUM_GENERATIONS"] = cc.intToString(numGenerations);
    OpenMM::ComputeProgram program = cc.compileProgram(CommonTSFKernelSources::internalCoordinates, defines);
    forwardKernel = program->createKernel("computeInternalCoordinates");
    inverseKernel = program->createKernel("placeAtoms");
    threadBlockSize = std::min(CONFIGURATION_BLOCK_SIZE, cc.getMaxThreadBlockSize());
    reserve(1);
    forwardKernel->addArg();
    forwardKernel->addArg(positions);
    forwardKernel->addArg(rowAtoms);
    forwardKernel->addArg(rowIndices);
    forwardKernel->addArg(fixedBonds);
    forwardKernel->addArg(placementOrder);
    forwardKernel->addArg(coordinates);
    forwardKernel->addArg(logDetTerms);
    forwardKernel->addArg(rowStatus);
    forwardKernel->addArg(logDet);
    forwardKernel->addArg(status);
    inverseKernel->addArg();
    inverseKernel->addArg(coordinates);
    inverseKernel->addArg(frames);
    inverseKernel->addArg();
    inverseKernel->addArg(rowAtoms);
    inverseKernel->addArg(rowIndices);
    inverseKernel->addArg(fixedBonds);
    inverseKernel->addArg(generationStart);
    inverseKernel->addArg(positions);
    inverseKernel->addArg(logDetTerms);
    inverseKernel->addArg(logDet);
    inverseKernel->addArg(outOfRangeFlags);
}

void CommonCalcInternalCoordinatesKernel::reserve(int numConfigurations) {
    if (numConfigurations <= capacity)
        return;
    OpenMM::ContextSelector selector(cc);
    const int mixed = mixedArrays.scalarSize();
    auto ensure = [this](OpenMM::ComputeArray& array, int size, int elementSize, const char* name) {
        if (array.isInitialized())
            array.resize(size);
        else
            array.initialize(cc, size, elementSize, name);
    };
    ensure(positions, numConfigurations * numAtoms, 4 * mixed, "tsfPositions");
    ensure(frames, numConfigurations * 3, 4 * mixed, "tsfFrames");
    ensure(coordinates, numConfigurations * std::max(numCoordinates, 1), mixed, "tsfCoordinates");
    ensure(logDetTerms, numConfigurations * numAtoms, mixed, "tsfLogDetTerms");
    ensure(rowStatus, numConfigurations * numAtoms, sizeof(int), "tsfRowStatus");
    ensure(logDet, numConfigurations, mixed, "tsfLogDet");
    ensure(status, numConfigurations, sizeof(int), "tsfStatus");
    ensure(outOfRangeFlags, numConfigurations, sizeof(int), "tsfOutOfRange");
    capacity = numConfigurations;
}

void CommonCalcInternalCoordinatesKernel::computeCoordinates(int numConfigurations, vector<double>* coordinatesOut, vector<double>& logDetOut) {
    if (coordinatesOut != nullptr)
        coordinatesOut->resize((size_t) numConfigurations * numCoordinates);
    logDetOut.resize(numConfigurations);
    if (numConfigurations == 0)
        return;
    OpenMM::ContextSelector selector(cc);
    forwardKernel->setArg(0, numConfigurations);
    forwardKernel->execute(numConfigurations * threadBlockSize, threadBlockSize);
    hostStatus.resize(capacity);
    status.download(hostStatus);
    for (int c = 0; c < numConfigurations; c++) {
        if (hostStatus[c] == 0)
            continue;
        const ZMatrixRow& row = rows[hostStatus[c] / 4];
        const int code = hostStatus[c] % 4;
        std::string what = "the torsion references of Z-matrix row " + std::to_string(originalRows[hostStatus[c] / 4]) + " are collinear";
        if (code == STATUS_ROOT_COLLINEAR)
            what = "the three root atoms are coincident or collinear";
        else if (code == STATUS_COINCIDENT_BOND)
            what = "atom " + std::to_string(row.atom) + " coincides with its bond partner";
        throw OpenMMException("Configuration " + std::to_string(c) + ": " + what);
    }
    if (coordinatesOut != nullptr)
        mixedArrays.download(coordinates, coordinatesOut->data(), coordinatesOut->size());
    mixedArrays.download(logDet, logDetOut.data(), numConfigurations);
}

void CommonCalcInternalCoordinatesKernel::placeAtoms(int numConfigurations, const vector<double>* coordinatesIn, bool framePerConfiguration,
        vector<double>& logDetOut, vector<int>& outOfRange) {
    logDetOut.resize(numConfigurations);
    outOfRange.resize(numConfigurations);
    if (numConfigurations == 0)
        return;
    OpenMM::ContextSelector selector(cc);
    if (coordinatesIn != nullptr)
        mixedArrays.upload(coordinates, coordinatesIn->data(), (size_t) numConfigurations * numCoordinates);
    inverseKernel->setArg(0, numConfigurations);
    inverseKernel->setArg(3, framePerConfiguration ? 1 : 0);
    inverseKernel->execute(numConfigurations * threadBlockSize, threadBlockSize);
    mixedArrays.download(logDet, logDetOut.data(), numConfigurations);
    hostStatus.resize(capacity);
    outOfRangeFlags.download(hostStatus);
    outOfRange.assign(hostStatus.begin(), hostStatus.begin() + numConfigurations);
}

void CommonCalcInternalCoordinatesKernel::forward(int numConfigurations, const vector<double>& positionsIn,
        vector<double>& coordinatesOut, vector<double>& logDetJacobian) {
    reserve(std::max(numConfigurations, 1));
    OpenMM::ContextSelector selector(cc);
    mixedArrays.uploadPositions(positions, positionsIn.data(), (size_t) numConfigurations * numAtoms);
    computeCoordinates(numConfigurations, &coordinatesOut, logDetJacobian);
}

void CommonCalcInternalCoordinatesKernel::checkFrames(const vector<double>& frames) {
    for (size_t f = 0; f + 9 <= frames.size(); f += 9) {
        double u[3], v[3];
        for (int d = 0; d < 3; d++) {
            u[d] = frames[f + 3 + d] - frames[f + d];
            v[d] = frames[f + 6 + d] - frames[f + d];
        }
        const double c[3] = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]};
        const double cross = std::sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]);
        const double product = std::sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]) * std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        if (!(cross > 1e-8 * product))
            throw OpenMMException("The frame's three root atoms are coincident or collinear, so they define no orientation");
    }
}

void CommonCalcInternalCoordinatesKernel::inverse(int numConfigurations, const vector<double>& coordinatesIn, const vector<double>& framesIn,
        vector<double>& positionsOut, vector<double>& logDetJacobian, vector<int>& outOfRange) {
    checkFrames(framesIn);
    reserve(std::max(numConfigurations, 1));
    OpenMM::ContextSelector selector(cc);
    const bool sharedFrame = (framesIn.size() == 9);
    mixedArrays.uploadPositions(frames, framesIn.data(), framesIn.size() / 3);
    placeAtoms(numConfigurations, &coordinatesIn, !sharedFrame, logDetJacobian, outOfRange);
    positionsOut.resize((size_t) numConfigurations * numAtoms * 3);
    mixedArrays.downloadPositions(positions, positionsOut.data(), (size_t) numConfigurations * numAtoms);
}

void CommonCalcInternalCoordinatesKernel::inverseVjp(int numConfigurations, const vector<double>& coordinatesIn, const vector<double>& framesIn,
        const vector<double>& positionsGradient, const vector<double>& logDetGradient, vector<double>& coordinatesGradient) {
    hostKernel.inverseVjp(numConfigurations, coordinatesIn, framesIn, positionsGradient, logDetGradient, coordinatesGradient);
}
