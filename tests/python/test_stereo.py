# SPDX-License-Identifier: MIT
"""The torsions that fix stereochemistry, found from a Z-matrix and data (openmmtsf.stereo)."""
import numpy as np
import openmm
from openmm import app

import openmmtsf
from conftest import ala2_system
from openmmtsf.stereo import stereo_torsions


def test_alanine_dipeptide_stereo_torsions_are_the_methyl_hydrogens_and_the_alpha_hydrogen(ala2_pdb, ala2_trajectory):
    system = ala2_system(ala2_pdb, app.HBonds)
    definition = openmmtsf.internal_coordinates_from_topology(ala2_pdb.topology, system)
    transform = openmmtsf.InternalCoordinateTransform(definition, openmm.Platform.getPlatformByName("Reference"))
    ics, _ = transform.forward(ala2_trajectory[:, definition.getParticles()])
    names = {atom.index: (atom.residue.name, atom.name) for atom in ala2_pdb.topology.atoms()}
    placed = {definition.getTorsionIndex(i): names[definition.getAtom(i)[0]] for i in range(definition.getNumAtoms())
              if definition.getAtom(i)[3] >= 0}
    found = stereo_torsions(definition, ics)
    assert sorted(placed[index] for index in found) == sorted(
        [("ACE", "H2"), ("ACE", "H3"), ("ALA", "HA"), ("ALA", "HB2"), ("ALA", "HB3"), ("NME", "H2"), ("NME", "H3")])
    # A frame with a methyl's hydrogens relabelled (the other sign) disqualifies that torsion.
    hb2 = next(index for index, name in placed.items() if name == ("ALA", "HB2"))
    relabelled = np.array(ics)
    relabelled[0, hb2] = -relabelled[0, hb2]
    assert hb2 not in stereo_torsions(definition, relabelled)
