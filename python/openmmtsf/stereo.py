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

from typing import List

import numpy as np

#: A stereo torsion stays this far (radians) from 0 and pi in every frame of the data.
MARGIN = 0.1


def stereo_torsions(definition, ics: np.ndarray) -> List[int]:
    """Indices into the IC vector of the torsions that fix stereochemistry, as seen in training data.

    A torsion qualifies if its reference atom is bonded to the placed atom's own bond partner (so that the torsion
    measures the side of a branch point) and every frame of ``ics`` [F, n] keeps it on one side of 0 and pi, at
    least MARGIN away from both.
    """
    ics = np.asarray(ics)
    rows = [definition.getAtom(i) for i in range(definition.getNumAtoms())]
    partner_of = {row[0]: row[1] for row in rows}
    found = []
    for i, (atom, bonded, _, reference) in enumerate(rows):
        if reference < 0 or partner_of.get(reference) != bonded:
            continue
        index = definition.getTorsionIndex(i)
        values = ics[:, index]
        magnitude = np.abs(values)
        one_side = np.all(values > 0) or np.all(values < 0)
        if one_side and magnitude.min() > MARGIN and magnitude.max() < np.pi - MARGIN:
            found.append(int(index))
    return found
