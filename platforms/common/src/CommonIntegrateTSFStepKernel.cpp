// SPDX-License-Identifier: MIT
#include "CommonIntegrateTSFStepKernel.h"
#include "CommonCalcInternalCoordinatesKernel.h"
#include "CommonTSFKernelSources.h"
#include "openmm/OpenMMException.h"
#include "openmm/common/ContextSelector.h"
#include "openmm/internal/ContextImpl.h"
#include <algorithm>
#include <cstring>
#include <map>

using namespace TSFPlugin;
using OpenMM::OpenMMException;
using OpenMM::Vec3;
using std::vector;

void CommonIntegrateTSFStepKernel::initializeReplicas(const OpenMM::System& system, const InternalCoordinates& definition,
        const OpenMM::Kernel& icKernel, int replicas) {
    internalCoordinatesKernel = icKernel;
    internalCoordinates = dynamic_cast<CommonCalcInternalCoordinatesKernel*>(&internalCoordinatesKernel.getImpl());
    if (internalCoordinates == nullptr)
        throw OpenMMException("TSFIntegrator: the TSFForce's internal-coordinate kernel is not on the Context's platform");
    numParticles = system.getNumParticles();
    numReplicas = replicas;
    const vector<int>& moleculeParticles = definition.getParticles();
    numAtoms = moleculeParticles.size();
    vector<int> local(numParticles, -1);
    for (int a = 0; a < numAtoms; a++)
        local[moleculeParticles[a]] = a;
    int roots[3];
    for (int row = 0; row < 3; row++) {
        int particle, j, k, l;
        definition.getAtom(row, particle, j, k, l);
        roots[row] = local[particle];
    }
    slotOfReplica.resize(numReplicas);
    for (int r = 0; r < numReplicas; r++)
        slotOfReplica[r] = r;
    slotsChanged = true;

    OpenMM::ContextSelector selector(cc);
    // As every integrator does: the platform's force buffers are set up once all forces are initialized.
    cc.initializeContexts();
    replicaPositions.initialize(cc, numReplicas * numParticles, 4 * mixedArrays.scalarSize(), "tsfReplicaPositions");
    slots.initialize<int>(cc, numReplicas, "tsfReplicaSlots");
    particles.initialize<int>(cc, numAtoms, "tsfMoleculeParticles");
    localIndex.initialize<int>(cc, numParticles, "tsfLocalIndex");
    cellOffsets.initialize<OpenMM::mm_int4>(cc, std::max<int>(cc.getPosCellOffsets().size(), 1), "tsfCellOffsets");
    hostCellOffsets.clear();
    particles.upload(moleculeParticles);
    localIndex.upload(local);
    internalCoordinates->reserve(numReplicas);
    std::map<std::string, std::string> defines;
    defines["NUM_PARTICLES"] = cc.intToString(numParticles);
    defines["NUM_ATOMS"] = cc.intToString(numAtoms);
    OpenMM::ComputeProgram program = cc.compileProgram(CommonTSFKernelSources::replicas, defines);
    storeKernel = program->createKernel("storeContextPositions");
    loadKernel = program->createKernel("loadIntoContext");
    gatherKernel = program->createKernel("gatherMolecules");
    acceptKernel = program->createKernel("acceptTrial");
    const bool mixedPrecision = cc.getUseMixedPrecision();
    // The copies between the Context and the replicas share their first arguments; the box vectors are set by
    // refreshPeriodicFrame().
    for (OpenMM::ComputeKernel* kernel : {&storeKernel, &loadKernel}) {
        (*kernel)->addArg(cc.getPosq());
        if (mixedPrecision)
            (*kernel)->addArg(cc.getPosqCorrection());
        (*kernel)->addArg(cc.getAtomIndexArray());
        (*kernel)->addArg(replicaPositions);
        (*kernel)->addArg(cellOffsets);
        for (int axis = 0; axis < 3; axis++)
            (*kernel)->addArg();
    }
    boxArgument = 4 + (mixedPrecision ? 1 : 0);
    storeKernel->addArg();
    storeKernel->addArg();
    loadKernel->addArg();
    loadKernel->addArg(localIndex);
    loadKernel->addArg(internalCoordinates->getPositions());
    loadKernel->addArg();
    gatherKernel->addArg(numReplicas);
    gatherKernel->addArg(replicaPositions);
    gatherKernel->addArg(slots);
    gatherKernel->addArg(particles);
    gatherKernel->addArg(roots[0]);
    gatherKernel->addArg(roots[1]);
    gatherKernel->addArg(roots[2]);
    gatherKernel->addArg(internalCoordinates->getPositions());
    gatherKernel->addArg(internalCoordinates->getFrames());
    acceptKernel->addArg(replicaPositions);
    acceptKernel->addArg();
    acceptKernel->addArg(particles);
    acceptKernel->addArg(internalCoordinates->getPositions());
    acceptKernel->addArg();
}

void CommonIntegrateTSFStepKernel::refreshPeriodicFrame() {
    const vector<OpenMM::mm_int4>& offsets = cc.getPosCellOffsets();
    if (offsets.size() != hostCellOffsets.size() ||
            std::memcmp(offsets.data(), hostCellOffsets.data(), offsets.size() * sizeof(OpenMM::mm_int4)) != 0) {
        hostCellOffsets = offsets;
        if (!hostCellOffsets.empty())
            cellOffsets.upload(hostCellOffsets);
    }
    Vec3 box[3];
    cc.getPeriodicBoxVectors(box[0], box[1], box[2]);
    for (OpenMM::ComputeKernel* kernel : {&storeKernel, &loadKernel})
        for (int axis = 0; axis < 3; axis++) {
            if (mixedArrays.scalarSize() == sizeof(double))
                (*kernel)->setArg(boxArgument + axis, OpenMM::mm_double4(box[axis][0], box[axis][1], box[axis][2], 0.0));
            else
                (*kernel)->setArg(boxArgument + axis, OpenMM::mm_float4(box[axis][0], box[axis][1], box[axis][2], 0.0f));
        }
}

void CommonIntegrateTSFStepKernel::storeContextPositions(OpenMM::ContextImpl& context, int replica) {
    OpenMM::ContextSelector selector(cc);
    refreshPeriodicFrame();
    storeKernel->setArg(boxArgument + 3, replica < 0 ? 0 : slotOfReplica[replica]);
    storeKernel->setArg(boxArgument + 4, replica < 0 ? numReplicas : slotOfReplica[replica] + 1);
    storeKernel->execute(numParticles);
}

void CommonIntegrateTSFStepKernel::loadIntoContext(OpenMM::ContextImpl& context, int replica, int trialIndex) {
    {
        OpenMM::ContextSelector selector(cc);
        loadKernel->setArg(boxArgument + 3, slotOfReplica[replica]);
        loadKernel->setArg(boxArgument + 6, trialIndex);
        loadKernel->execute(numParticles);
    }
    context.computeVirtualSites();
}

void CommonIntegrateTSFStepKernel::loadReplicaIntoContext(OpenMM::ContextImpl& context, int replica) {
    {
        OpenMM::ContextSelector selector(cc);
        refreshPeriodicFrame();
    }
    loadIntoContext(context, replica, -1);
}

void CommonIntegrateTSFStepKernel::loadTrialIntoContext(OpenMM::ContextImpl& context, int replica) {
    loadIntoContext(context, replica, replica);
}

void CommonIntegrateTSFStepKernel::computeReplicaCoordinates(vector<double>& coordinates, vector<double>& logDetToIc) {
    OpenMM::ContextSelector selector(cc);
    if (slotsChanged) {
        slots.upload(slotOfReplica);
        slotsChanged = false;
    }
    gatherKernel->execute(numReplicas * numAtoms);
    internalCoordinates->computeCoordinates(numReplicas, flowOnDevice ? nullptr : &coordinates, logDetToIc);
}

void CommonIntegrateTSFStepKernel::placeTrials(const vector<double>& coordinates, vector<double>& logDetFromIc, vector<int>& outOfRange) {
    internalCoordinates->placeAtoms(numReplicas, flowOnDevice ? nullptr : &coordinates, true, logDetFromIc, outOfRange);
}

void CommonIntegrateTSFStepKernel::acceptTrial(int replica) {
    OpenMM::ContextSelector selector(cc);
    acceptKernel->setArg(1, slotOfReplica[replica]);
    acceptKernel->setArg(4, replica);
    acceptKernel->execute(numAtoms);
}

void CommonIntegrateTSFStepKernel::swapReplicas(int replica1, int replica2) {
    std::swap(slotOfReplica[replica1], slotOfReplica[replica2]);
    slotsChanged = true;
}

void CommonIntegrateTSFStepKernel::downloadReplica(int replica, vector<Vec3>& positions) {
    OpenMM::ContextSelector selector(cc);
    positions.resize(numParticles);
    mixedArrays.downloadPositions(replicaPositions, reinterpret_cast<double*>(positions.data()), numParticles, slotOfReplica[replica] * numParticles);
}

void CommonIntegrateTSFStepKernel::uploadReplica(int replica, const vector<Vec3>& positions) {
    OpenMM::ContextSelector selector(cc);
    mixedArrays.uploadPositions(replicaPositions, reinterpret_cast<const double*>(positions.data()), numParticles, slotOfReplica[replica] * numParticles);
}
