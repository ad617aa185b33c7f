# SPDX-License-Identifier: MIT
"""What the diagnostics record of each direct sample, for any molecule: every residue's backbone phi and psi (if
the Topology has any), whether a peptide bond is cis (if it has any), and whether a stereo torsion of the Z-matrix
(openmmtsf.stereo: a stereocentre, or the order of equivalent hydrogens) has the other sign than in the starting
structure, i.e. a mirror image or a relabelling, which MD never visits.
"""
from __future__ import annotations

from typing import Dict, List

import numpy as np
from openmm import app

from ..collective_variables import amide_torsions, backbone_torsions, cis_amides, evaluate
from ..stereo import stereo_torsions


class Observables:
    """The per-sample record of a molecule: call it with (ICs [B, n], positions [B, N, 3] in nm, in range [B]) to
    get ``torsions_rad`` [B, C] (backbone torsions, radians; NaN out of range), ``cis_amide`` [B] and
    ``stereo_flipped`` [B] (bool; False out of range)."""

    def __init__(self, topology: app.Topology, definition, reference_ics: np.ndarray):
        """``definition``: the Z-matrix (InternalCoordinates); ``reference_ics`` [n]: the starting structure's
        internal coordinates, whose stereo torsions' signs are the molecule's."""
        self.torsions = backbone_torsions(topology)
        self.amides = amide_torsions(topology)
        reference_ics = np.asarray(reference_ics, dtype=float).reshape(-1)
        self.stereo = stereo_torsions(definition, reference_ics[None])
        self.stereo_signs = np.sign(reference_ics[self.stereo])

    @property
    def torsion_names(self) -> List[str]:
        """The backbone torsions' names (phi<i>, psi<i> with i the residue index), in the columns' order."""
        return [variable.name for variable in self.torsions]

    @property
    def has_amides(self) -> bool:
        """Whether the molecule has peptide bonds (so that cis amides are recorded)."""
        return bool(self.amides)

    def __call__(self, ics: np.ndarray, positions_nm: np.ndarray, inside: np.ndarray) -> Dict[str, np.ndarray]:
        """The record of a batch (see the class docstring)."""
        count = len(ics)
        torsions = np.full((count, len(self.torsions)), np.nan)
        cis = np.zeros(count, dtype=bool)
        if inside.any():
            if self.torsions:
                torsions[inside] = evaluate(self.torsions, positions_nm[inside])
            if self.amides:
                cis[inside] = cis_amides(positions_nm[inside], self.amides)
        flipped = np.any(np.sign(ics[:, self.stereo]) != self.stereo_signs, axis=1) & inside
        return {"torsions_rad": torsions, "cis_amide": cis, "stereo_flipped": flipped}


def residue_pairs(names: List[str]) -> Dict[str, tuple]:
    """The residues that have both a backbone phi and psi among ``names`` (phi<i>, psi<i>): residue index (as
    text) -> (column of phi, column of psi)."""
    pairs = {}
    for column, name in enumerate(names):
        if name.startswith("phi") and f"psi{name[3:]}" in names:
            pairs[name[3:]] = (column, names.index(f"psi{name[3:]}"))
    return pairs
