# SPDX-License-Identifier: MIT
"""The torsions of a Z-matrix that fix a stereocentre or the order of equivalent hydrogens.

A Z-matrix places most atoms by a torsion about a bond to a neighbour of their own bond partner (an improper-like
torsion: HB2 about CB-CA relative to HB1, HA about CA-N relative to CB). Such a torsion sits near +-120 degrees
and its sign is a stereochemical fact: the other sign is the mirror-image stereocentre, or a methyl group with two
hydrogen labels swapped. MD never changes it, so a Boltzmann generator should never propose the other sign: such
a proposal carries an enormous importance weight (seen at 600 K: one relabelled methyl in 20 000 samples held 93%
of the weight) and makes an independence sampler stick.
"""
from __future__ import annotations

from typing import Dict, List, Sequence, Tuple

import numpy as np

#: A stereo torsion stays this far (radians) from 0 and pi in every frame of the data.
MARGIN = 0.1


def stereo_torsions(definition, ics: np.ndarray) -> List[int]:
    """Indices into the IC vector of the torsions that fix stereochemistry, as seen in training data.

    A torsion qualifies if its reference atom is bonded to the placed atom's own bond partner (so that the torsion
    measures the side of a branch point) and every frame of ``ics`` [F, n] keeps it on one side of 0 and pi, at
    least MARGIN away from both.
    """
    rows = [definition.getAtom(i) for i in range(definition.getNumAtoms())]
    partner_of = {row[0]: row[1] for row in rows}
    candidates = [definition.getTorsionIndex(i) for i, (atom, bonded, _, reference) in enumerate(rows)
                  if reference >= 0 and partner_of.get(reference) == bonded]
    return one_sided_torsions(ics, candidates)


def sibling_torsions(definition) -> List[Tuple[int, int]]:
    """Pairs (torsion, base) of IC indices: two atoms placed about the same bond with the same angle and torsion
    references (CB and C about N-CA in a residue). The sign of a pair's difference, torsion - base, says on which
    side of the base atom's plane the later atom sits: at an alpha carbon, its chirality. A flow that models the
    difference instead of the torsion, and keeps its sign where the data do (relative_torsion_values(),
    one_sided_torsions()), never proposes the mirror image. The base of each pair is the first atom placed about
    that bond, which is no pair's torsion."""
    first_placed: Dict[Tuple[int, int, int], int] = {}
    pairs = []
    for i in range(definition.getNumAtoms()):
        _, bonded, angle, reference = definition.getAtom(i)
        if reference < 0:
            continue
        key = (bonded, angle, reference)
        if key in first_placed:
            pairs.append((int(definition.getTorsionIndex(i)), first_placed[key]))
        else:
            first_placed[key] = int(definition.getTorsionIndex(i))
    return pairs


def relative_torsion_values(ics: np.ndarray, pairs: Sequence[Tuple[int, int]]) -> np.ndarray:
    """A copy of ICs [F, n] with each pair's torsion replaced by torsion - base, wrapped into [-pi, pi)."""
    relative = np.array(ics, dtype=np.float64)
    for torsion, base in pairs:
        relative[:, torsion] = np.remainder(relative[:, torsion] - relative[:, base] + np.pi, 2.0 * np.pi) - np.pi
    return relative


def one_sided_torsions(ics: np.ndarray, candidates: Sequence[int]) -> List[int]:
    """The candidates (IC indices) that every frame of ``ics`` [F, n] keeps on one side of 0 and pi, at least MARGIN
    away from both."""
    found = []
    for index in candidates:
        values = np.asarray(ics)[:, index]
        magnitude = np.abs(values)
        one_side = np.all(values > 0) or np.all(values < 0)
        if one_side and magnitude.min() > MARGIN and magnitude.max() < np.pi - MARGIN:
            found.append(int(index))
    return found
