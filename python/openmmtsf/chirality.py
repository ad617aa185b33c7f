# SPDX-License-Identifier: MIT
"""The chirality of each residue's alpha carbon: the side of the N-CA-C plane on which CB sits."""
from __future__ import annotations

import numpy as np
from openmm import app


def alpha_carbon_centres(topology: app.Topology) -> np.ndarray:
    """[K, 4] atom indices (CA, N, C, CB) of every residue that has all four, bonded to CA (glycine has none)."""
    bonded = {}
    for first, second in topology.bonds():
        bonded.setdefault(first.index, set()).add(second.index)
        bonded.setdefault(second.index, set()).add(first.index)
    centres = []
    for residue in topology.residues():
        names = {atom.name: atom.index for atom in residue.atoms()}
        if all(name in names for name in ("CA", "N", "C", "CB")):
            ca = names["CA"]
            if all(names[name] in bonded.get(ca, ()) for name in ("N", "C", "CB")):
                centres.append((ca, names["N"], names["C"], names["CB"]))
    return np.array(centres, dtype=int).reshape(-1, 4)


def chirality_signs(positions: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """[F, K] the sign (+1 or -1) of the triple product (N - CA) . ((C - CA) x (CB - CA)) of each centre
    (alpha_carbon_centres()) in each frame of positions [F, N, 3]; the mirror image has the other sign."""
    positions = np.asarray(positions, dtype=np.float64).reshape(-1, np.shape(positions)[-2], 3)
    ca, n, c, cb = (positions[:, centres[:, k]] for k in range(4))
    return np.sign(np.einsum("fkx,fkx->fk", n - ca, np.cross(c - ca, cb - ca)))
