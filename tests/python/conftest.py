# SPDX-License-Identifier: MIT
"""Shared fixtures: alanine dipeptide and the platforms that run the TSF kernels."""
from pathlib import Path

import numpy as np
import openmm
import pytest
from openmm import app, unit

import openmmtsf  # noqa: F401  (registers the kernels)

ROOT = Path(__file__).resolve().parents[2]
ALA2_PDB = ROOT / "examples" / "data" / "alanine-dipeptide.pdb"
REFERENCE_PLATFORMS = ["Reference", "CPU"]


@pytest.fixture(scope="session")
def ala2_pdb() -> app.PDBFile:
    return app.PDBFile(str(ALA2_PDB))


def ala2_system(pdb: app.PDBFile, constraints) -> openmm.System:
    forcefield = app.ForceField("amber99sbildn.xml", "amber99_obc.xml")
    return forcefield.createSystem(pdb.topology, nonbondedMethod=app.NoCutoff, constraints=constraints)


def ala2_atoms(pdb: app.PDBFile, names) -> list:
    """Atom indices from (residue name, atom name) pairs."""
    index = {(a.residue.name, a.name): a.index for a in pdb.topology.atoms()}
    return [index[name] for name in names]


PHI = [("ACE", "C"), ("ALA", "N"), ("ALA", "CA"), ("ALA", "C")]
PSI = [("ALA", "N"), ("ALA", "CA"), ("ALA", "C"), ("NME", "N")]


@pytest.fixture(scope="session")
def ala2_trajectory(ala2_pdb) -> np.ndarray:
    """[50, 22, 3] nm: a short, seeded 600 K trajectory without constraints, so it explores widely."""
    system = ala2_system(ala2_pdb, None)
    integrator = openmm.LangevinMiddleIntegrator(600 * unit.kelvin, 1 / unit.picosecond, 1 * unit.femtosecond)
    integrator.setRandomNumberSeed(7)
    context = openmm.Context(system, integrator, openmm.Platform.getPlatformByName("Reference"))
    context.setPositions(ala2_pdb.positions)
    context.setVelocitiesToTemperature(600 * unit.kelvin, 7)
    frames = []
    for _ in range(50):
        integrator.step(200)
        frames.append(context.getState(getPositions=True).getPositions(asNumpy=True).value_in_unit(unit.nanometer))
    return np.array(frames)
