# SPDX-License-Identifier: MIT
"""Z-matrices from an ``openmm.app.Topology``."""
from __future__ import annotations

from typing import Iterable, Optional

import openmm
from openmm import app

from .tsfplugin import InternalCoordinates


def internal_coordinates_from_topology(topology: app.Topology, system: Optional[openmm.System] = None,
                                       atoms: Optional[Iterable[int]] = None) -> InternalCoordinates:
    """Build a Z-matrix from a Topology's bonds and elements.

    Heavy-atom chains are preferred, so torsions are the chemically meaningful ones (see
    ``InternalCoordinates.createFromBonds``).

    Args:
        topology: the molecule's Topology; its bonds define the graph.
        system: if given, its constraints fix the Z-matrix bonds they act on.
        atoms: the atom indices to cover; all atoms of the Topology by default.
    """
    selected = [atom.index for atom in topology.atoms()] if atoms is None else [int(a) for a in atoms]
    bonds = [(bond[0].index, bond[1].index) for bond in topology.bonds()]
    hydrogens = [atom.index for atom in topology.atoms() if atom.element == app.element.hydrogen]
    definition = InternalCoordinates.createFromBonds(selected, bonds, hydrogens)
    if system is not None:
        definition.applyConstraints(system)
    return definition
