// SPDX-License-Identifier: MIT
/*
 * The internal-coordinate transform of a batch of configurations of one molecule, in OpenMM's common kernel
 * language (compiled for CUDA and OpenCL). See CalcInternalCoordinatesKernel for the layouts and the Jacobian.
 * One thread block handles one configuration at a time. Z-matrix rows come sorted by generation: rows 0, 1 and 2
 * are generations 0, 1 and 2, and a later row's generation is one more than its partners' latest, so the rows of
 * one generation are placed in parallel once the earlier generations are done.
 *
 * All arithmetic is in `mixed` precision (plain overloaded math functions, not the `real` macros).
 * Compile-time constants: NUM_ATOMS, NUM_COORDINATES, NUM_BONDS, NUM_ANGLES, NUM_GENERATIONS.
 * Row tables, per row in generation order: rowAtoms = (atom, bond partner, angle partner, torsion partner), local
 * indices or -1; rowIndices = (bond, angle, torsion) positions in the IC vector or -1; fixedBonds in nm (0 if free).
 */
#define TSF_PI ((mixed) 3.14159265358979323846)
#define MIN_SINE ((mixed) 1e-8)

/** Status codes of a configuration in computeInternalCoordinates (0: fine). */
#define STATUS_ROOT_COLLINEAR 1
#define STATUS_COINCIDENT_BOND 2
#define STATUS_TORSION_COLLINEAR 3

DEVICE mixed3 xyz(mixed4 v) {
    return make_mixed3(v.x, v.y, v.z);
}

DEVICE mixed norm3(mixed3 v) {
    return sqrt(dot(v, v));
}

/** Whether a and b are (anti)parallel or one of them is zero. */
DEVICE bool collinear(mixed3 a, mixed3 b) {
    return !(norm3(cross(a, b)) > MIN_SINE * norm3(a) * norm3(b));
}

/** sin of the polar angle of u against the lab z axis. */
DEVICE mixed polarSine(mixed3 u) {
    return sqrt(u.x * u.x + u.y * u.y) / norm3(u);
}

DEVICE bool finite3(mixed4 v) {
    return isfinite(v.x) && isfinite(v.y) && isfinite(v.z);
}

/**
 * Cartesian -> IC. Writes the coordinates, log|det d(frame, IC)/dx| and a status per configuration: 0, or
 * 4 * (row in generation order) + one of the STATUS_ codes for the failing row that comes first in placement
 * order (placementOrder gives each row's position in the Z-matrix).
 */
KERNEL void computeInternalCoordinates(int numConfigurations, GLOBAL const mixed4* RESTRICT positions,
        GLOBAL const int4* RESTRICT rowAtoms, GLOBAL const int4* RESTRICT rowIndices, GLOBAL const mixed* RESTRICT fixedBonds,
        GLOBAL const int* RESTRICT placementOrder, GLOBAL mixed* RESTRICT coordinates, GLOBAL mixed* RESTRICT logDetTerms,
        GLOBAL int* RESTRICT rowStatus,
        GLOBAL mixed* RESTRICT logDet, GLOBAL int* RESTRICT status) {
    for (int c = GROUP_ID; c < numConfigurations; c += NUM_GROUPS) {
        GLOBAL const mixed4* x = positions + c * NUM_ATOMS;
        GLOBAL mixed* ic = coordinates + c * NUM_COORDINATES;
        for (int r = LOCAL_ID; r < NUM_ATOMS; r += LOCAL_SIZE) {
            const int4 atoms = rowAtoms[r];
            const int4 indices = rowIndices[r];
            mixed term = 0;
            int code = 0;
            if (r == 0) {
                const mixed3 x0 = xyz(x[atoms.x]);
                const mixed3 u = xyz(x[rowAtoms[1].x]) - x0;
                if (collinear(u, xyz(x[rowAtoms[2].x]) - x0))
                    code = STATUS_ROOT_COLLINEAR;
                else
                    term = log(polarSine(u));
            }
            else {
                const mixed3 xi = xyz(x[atoms.x]), xj = xyz(x[atoms.y]);
                const mixed bond = norm3(xi - xj);
                if (!(bond > 0))
                    code = STATUS_COINCIDENT_BOND;
                if (indices.x >= 0)
                    ic[indices.x] = bond;
                term = 2 * log(indices.x >= 0 ? bond : fixedBonds[r]);
                if (atoms.z >= 0) {
                    const mixed3 xk = xyz(x[atoms.z]);
                    const mixed3 a = xi - xj, b = xk - xj;
                    const mixed theta = atan2(norm3(cross(a, b)), dot(a, b));
                    ic[indices.y] = theta;
                    term += log(sin(theta));
                    if (atoms.w >= 0) {
                        const mixed3 xl = xyz(x[atoms.w]);
                        if (code == 0 && collinear(xj - xk, xl - xk))
                            code = STATUS_TORSION_COLLINEAR;
                        const mixed3 b1 = xj - xi, b2 = xk - xj, b3 = xl - xk;
                        const mixed3 n1 = cross(b1, b2), n2 = cross(b2, b3);
                        mixed phi = atan2(norm3(b2) * dot(b1, n2), dot(n1, n2));
                        ic[indices.z] = (phi == -TSF_PI ? TSF_PI : phi);
                    }
                }
            }
            logDetTerms[c * NUM_ATOMS + r] = term;
            rowStatus[c * NUM_ATOMS + r] = (code == 0 ? 0 : 4 * r + code);
        }
        SYNC_THREADS;
        if (LOCAL_ID == 0) {
            mixed sum = 0;
            int first = 0;
            for (int r = 0; r < NUM_ATOMS; r++) {
                sum += logDetTerms[c * NUM_ATOMS + r];
                const int code = rowStatus[c * NUM_ATOMS + r];
                if (code != 0 && (first == 0 || placementOrder[r] < placementOrder[first / 4]))
                    first = code;
            }
            logDet[c] = -sum;
            status[c] = first;
        }
        SYNC_THREADS;
    }
}

/**
 * IC -> Cartesian in a frame: [3] mixed4 shared by the batch, or [B, 3] if framePerConfiguration. Writes the
 * positions, log|det dx/d(frame, IC)| and an out-of-range flag per configuration.
 */
KERNEL void placeAtoms(int numConfigurations, GLOBAL const mixed* RESTRICT coordinates, GLOBAL const mixed4* RESTRICT frames,
        int framePerConfiguration, GLOBAL const int4* RESTRICT rowAtoms, GLOBAL const int4* RESTRICT rowIndices,
        GLOBAL const mixed* RESTRICT fixedBonds, GLOBAL const int* RESTRICT generationStart, GLOBAL mixed4* RESTRICT positions,
        GLOBAL mixed* RESTRICT logDetTerms, GLOBAL mixed* RESTRICT logDet, GLOBAL int* RESTRICT outOfRange) {
    for (int c = GROUP_ID; c < numConfigurations; c += NUM_GROUPS) {
        GLOBAL const mixed* ic = coordinates + c * NUM_COORDINATES;
        GLOBAL mixed4* x = positions + c * NUM_ATOMS;
        GLOBAL mixed* terms = logDetTerms + c * NUM_ATOMS;
        if (LOCAL_ID == 0) {
            // The three root atoms, from the frame.
            GLOBAL const mixed4* frame = frames + (framePerConfiguration ? 3 * c : 0);
            const mixed3 x0 = xyz(frame[0]);
            const mixed3 u = normalize(xyz(frame[1]) - x0);
            const mixed3 v = xyz(frame[2]) - x0;
            const mixed3 w = normalize(v - u * dot(u, v));
            const int4 row1 = rowAtoms[1], row2 = rowAtoms[2];
            const int4 indices1 = rowIndices[1], indices2 = rowIndices[2];
            const mixed b1 = (indices1.x >= 0 ? ic[indices1.x] : fixedBonds[1]);
            const mixed b2 = (indices2.x >= 0 ? ic[indices2.x] : fixedBonds[2]);
            const mixed theta = ic[indices2.y];
            const mixed3 x1 = x0 + u * b1;
            const mixed3 e = (row2.y == rowAtoms[0].x ? u : -u);
            const mixed3 xj = (row2.y == rowAtoms[0].x ? x0 : x1);
            const mixed3 x2 = xj + (e * cos(theta) + w * sin(theta)) * b2;
            x[rowAtoms[0].x] = make_mixed4(x0.x, x0.y, x0.z, 0);
            x[row1.x] = make_mixed4(x1.x, x1.y, x1.z, 0);
            x[row2.x] = make_mixed4(x2.x, x2.y, x2.z, 0);
            terms[0] = log(polarSine(u));
            terms[1] = 2 * log(fabs(b1));
            terms[2] = 2 * log(fabs(b2)) + log(fabs(sin(theta)));
        }
        SYNC_THREADS;
        for (int g = 3; g < NUM_GENERATIONS; g++) {
            for (int r = generationStart[g] + LOCAL_ID; r < generationStart[g + 1]; r += LOCAL_SIZE) {
                const int4 atoms = rowAtoms[r];
                const int4 indices = rowIndices[r];
                const mixed b = (indices.x >= 0 ? ic[indices.x] : fixedBonds[r]);
                const mixed theta = ic[indices.y], phi = ic[indices.z];
                const mixed3 xj = xyz(x[atoms.y]), xk = xyz(x[atoms.z]), xl = xyz(x[atoms.w]);
                const mixed3 bc = normalize(xj - xk);
                const mixed3 n = normalize(cross(xk - xl, bc));
                const mixed3 m = cross(n, bc);
                const mixed sinTheta = sin(theta);
                const mixed3 xi = xj + bc * (-b * cos(theta)) + m * (b * sinTheta * cos(phi)) + n * (b * sinTheta * sin(phi));
                x[atoms.x] = make_mixed4(xi.x, xi.y, xi.z, 0);
                terms[r] = 2 * log(fabs(b)) + log(fabs(sinTheta));
            }
            SYNC_THREADS;
        }
        if (LOCAL_ID == 0) {
            mixed sum = 0;
            bool bad = false;
            for (int r = 0; r < NUM_ATOMS; r++) {
                sum += terms[r];
                bad = bad || !finite3(x[r]);
            }
            for (int i = 0; i < NUM_BONDS; i++)
                bad = bad || !(ic[i] > 0 && isfinite(ic[i]));
            for (int i = NUM_BONDS; i < NUM_BONDS + NUM_ANGLES; i++)
                bad = bad || !(ic[i] > 0 && ic[i] < TSF_PI);
            for (int i = NUM_BONDS + NUM_ANGLES; i < NUM_COORDINATES; i++)
                bad = bad || !(ic[i] > -TSF_PI && ic[i] <= TSF_PI);
            logDet[c] = sum;
            outOfRange[c] = (bad || !isfinite(sum)) ? 1 : 0;
        }
        SYNC_THREADS;
    }
}
