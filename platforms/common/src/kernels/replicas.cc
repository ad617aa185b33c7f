// SPDX-License-Identifier: MIT
/*
 * The TSF integrator's data path on the device. Replica configurations live in replicaPositions, [slots, N]
 * mixed4 in nm, indexed by the System's particle index and in the System's frame, so OpenMM's atom reordering
 * and periodic wrapping never affect them: every copy to or from the Context goes through atomIndex and removes
 * or restores the periodic cell offset OpenMM recorded for that posq entry (cellOffsets, with the box vectors
 * boxA, boxB, boxC). posq's fourth component (the charge) is never touched. In mixed precision a position is
 * posq + posqCorrection.
 *
 * Compile-time constants: NUM_PARTICLES (N), NUM_ATOMS (M, the molecule's particles).
 */

/** The shift (nm) of a periodic cell offset. */
DEVICE mixed4 cellShift(int4 offset, mixed4 boxA, mixed4 boxB, mixed4 boxC) {
    return make_mixed4(offset.x * boxA.x + offset.y * boxB.x + offset.z * boxC.x, offset.x * boxA.y + offset.y * boxB.y + offset.z * boxC.y,
            offset.x * boxA.z + offset.y * boxB.z + offset.z * boxC.z, 0);
}

DEVICE mixed4 contextPosition(GLOBAL const real4* RESTRICT posq
#ifdef USE_MIXED_PRECISION
        , GLOBAL const real4* RESTRICT posqCorrection
#endif
        , int i) {
    const real4 p = posq[i];
#ifdef USE_MIXED_PRECISION
    const real4 correction = posqCorrection[i];
    return make_mixed4((mixed) p.x + (mixed) correction.x, (mixed) p.y + (mixed) correction.y, (mixed) p.z + (mixed) correction.z, 0);
#else
    return make_mixed4(p.x, p.y, p.z, 0);
#endif
}

DEVICE void setContextPosition(GLOBAL real4* RESTRICT posq
#ifdef USE_MIXED_PRECISION
        , GLOBAL real4* RESTRICT posqCorrection
#endif
        , int i, mixed4 position) {
    const real4 old = posq[i];
    posq[i] = make_real4((real) position.x, (real) position.y, (real) position.z, old.w);
#ifdef USE_MIXED_PRECISION
    posqCorrection[i] = make_real4(position.x - (real) position.x, position.y - (real) position.y, position.z - (real) position.z, 0);
#endif
}

/** Copy the Context's positions into the replica slots [firstSlot, lastSlot). */
KERNEL void storeContextPositions(GLOBAL const real4* RESTRICT posq,
#ifdef USE_MIXED_PRECISION
        GLOBAL const real4* RESTRICT posqCorrection,
#endif
        GLOBAL const int* RESTRICT atomIndex, GLOBAL mixed4* RESTRICT replicaPositions, GLOBAL const int4* RESTRICT cellOffsets,
        mixed4 boxA, mixed4 boxB, mixed4 boxC, int firstSlot, int lastSlot) {
    for (int i = GLOBAL_ID; i < NUM_PARTICLES; i += GLOBAL_SIZE) {
        const mixed4 position = contextPosition(posq,
#ifdef USE_MIXED_PRECISION
                posqCorrection,
#endif
                i) - cellShift(cellOffsets[i], boxA, boxB, boxC);
        for (int slot = firstSlot; slot < lastSlot; slot++)
            replicaPositions[slot * NUM_PARTICLES + atomIndex[i]] = position;
    }
}

/**
 * Put a replica slot into the Context. If trialIndex >= 0, the molecule's particles (localIndex >= 0) come from
 * trialPositions [B, M] at that batch index instead.
 */
KERNEL void loadIntoContext(GLOBAL real4* RESTRICT posq,
#ifdef USE_MIXED_PRECISION
        GLOBAL real4* RESTRICT posqCorrection,
#endif
        GLOBAL const int* RESTRICT atomIndex, GLOBAL const mixed4* RESTRICT replicaPositions, GLOBAL const int4* RESTRICT cellOffsets,
        mixed4 boxA, mixed4 boxB, mixed4 boxC, int slot, GLOBAL const int* RESTRICT localIndex,
        GLOBAL const mixed4* RESTRICT trialPositions, int trialIndex) {
    for (int i = GLOBAL_ID; i < NUM_PARTICLES; i += GLOBAL_SIZE) {
        const int particle = atomIndex[i];
        const int moleculeAtom = (trialIndex >= 0 ? localIndex[particle] : -1);
        const mixed4 position = (moleculeAtom >= 0 ? trialPositions[trialIndex * NUM_ATOMS + moleculeAtom] : replicaPositions[slot * NUM_PARTICLES + particle]);
        setContextPosition(posq,
#ifdef USE_MIXED_PRECISION
                posqCorrection,
#endif
                i, position + cellShift(cellOffsets[i], boxA, boxB, boxC));
    }
}

/** Copy the molecule of every replica, and the three root atoms as its frame, into the IC kernel's batch. */
KERNEL void gatherMolecules(int numReplicas, GLOBAL const mixed4* RESTRICT replicaPositions, GLOBAL const int* RESTRICT slotOfReplica,
        GLOBAL const int* RESTRICT particles, int root0, int root1, int root2, GLOBAL mixed4* RESTRICT moleculePositions,
        GLOBAL mixed4* RESTRICT frames) {
    for (int t = GLOBAL_ID; t < numReplicas * NUM_ATOMS; t += GLOBAL_SIZE) {
        const int replica = t / NUM_ATOMS, atom = t - replica * NUM_ATOMS;
        const mixed4 position = replicaPositions[slotOfReplica[replica] * NUM_PARTICLES + particles[atom]];
        moleculePositions[t] = position;
        if (atom == root0)
            frames[3 * replica] = position;
        if (atom == root1)
            frames[3 * replica + 1] = position;
        if (atom == root2)
            frames[3 * replica + 2] = position;
    }
}

/** Make the trial at batch index trialIndex the molecule of a replica slot. */
KERNEL void acceptTrial(GLOBAL mixed4* RESTRICT replicaPositions, int slot, GLOBAL const int* RESTRICT particles,
        GLOBAL const mixed4* RESTRICT trialPositions, int trialIndex) {
    for (int atom = GLOBAL_ID; atom < NUM_ATOMS; atom += GLOBAL_SIZE)
        replicaPositions[slot * NUM_PARTICLES + particles[atom]] = trialPositions[trialIndex * NUM_ATOMS + atom];
}
