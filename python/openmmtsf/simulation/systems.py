# SPDX-License-Identifier: MIT
"""The reference force field: amber99sb-ildn with OBC implicit solvent, no cutoff, HBond constraints."""
from __future__ import annotations

from pathlib import Path
from typing import Tuple, Union

import openmm
from openmm import app


def implicit_solvent_system(pdb_path: Union[str, Path], constraints=app.HBonds) -> Tuple[app.PDBFile, openmm.System]:
    """The PDB and its System in amber99sb-ildn with OBC implicit solvent (paper's alanine-dipeptide set-up)."""
    path = Path(pdb_path)
    if not path.is_file():
        raise FileNotFoundError(f"No PDB file at {path}")
    pdb = app.PDBFile(str(path))
    forcefield = app.ForceField("amber99sbildn.xml", "amber99_obc.xml")
    system = forcefield.createSystem(pdb.topology, nonbondedMethod=app.NoCutoff, constraints=constraints)
    return pdb, system
