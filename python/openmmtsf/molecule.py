# SPDX-License-Identifier: MIT
"""The molecule a run works on: its Topology, its System and its starting positions, from a PDB with a force field
or from a serialized System.

TSF samples one molecule in vacuum or in implicit solvent: every particle is an atom of the Topology and is moved
by the flow. A periodic box (explicit water) is refused, since the flow would have to move every water molecule.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple, Optional, Sequence, Union

import numpy as np
import openmm
from openmm import app, unit

#: The force field a System is built from when none is given: amber99sb-ildn with OBC implicit solvent (the paper's
#: alanine-dipeptide set-up), with no cutoff and bonds to hydrogen constrained.
DEFAULT_FORCEFIELD = ("amber99sbildn.xml", "amber99_obc.xml")


class Molecule(NamedTuple):
    """A molecule as OpenMM holds it: ``topology`` (``openmm.app.Topology``), ``system`` (``openmm.System``) and
    ``positions`` (starting positions, nm, [N, 3] float64)."""
    topology: app.Topology
    system: openmm.System
    positions: np.ndarray


def molecule(topology: app.Topology, system: openmm.System, positions) -> Molecule:
    """A checked Molecule from a Topology, a System and positions (a Quantity, or nm as [N, 3]).

    Raises:
        ValueError: if the System is periodic, has virtual sites, or does not match the Topology or the positions.
    """
    if unit.is_quantity(positions):
        positions = positions.value_in_unit(unit.nanometer)
    positions = np.array([[float(c) for c in row] for row in positions], dtype=np.float64).reshape(-1, 3)
    check_supported(topology, system)
    if len(positions) != system.getNumParticles():
        raise ValueError(f"{len(positions)} positions for a System of {system.getNumParticles()} particles")
    return Molecule(topology, system, positions)


def check_supported(topology: app.Topology, system: openmm.System) -> None:
    """Refuse what TSF cannot sample: a periodic System (explicit solvent), virtual sites or massless particles
    (every particle is an atom the flow moves), a barostat, or a System whose particles are not the Topology's atoms.

    Raises:
        ValueError: naming what is not supported.
    """
    atoms = topology.getNumAtoms()
    if system.getNumParticles() != atoms:
        raise ValueError(f"the System has {system.getNumParticles()} particles but the topology {atoms} atoms: they "
                         f"must describe the same molecule, atom for atom")
    if system.usesPeriodicBoundaryConditions():
        raise ValueError("the System is periodic (explicit solvent or a periodic box): TSF supports a molecule in "
                         "vacuum or in implicit solvent (e.g. OBC/GBn2) only; build the System with NoCutoff or "
                         "CutoffNonPeriodic")
    for force in system.getForces():
        if isinstance(force, openmm.MonteCarloBarostat) or "Barostat" in force.__class__.__name__:
            raise ValueError(f"the System holds a {force.__class__.__name__}: TSF samples at constant volume")
    for index in range(system.getNumParticles()):
        if system.isVirtualSite(index) or system.getParticleMass(index).value_in_unit(unit.dalton) == 0.0:
            raise ValueError(f"particle {index} is a virtual site or massless: TSF moves every particle as an atom")


def load_molecule(pdb: Union[str, Path], system: Optional[Union[str, Path]] = None,
                  forcefield: Optional[Sequence[str]] = None) -> Molecule:
    """A molecule from a PDB file (topology and starting positions) and either a serialized System (``system``, an
    XML file from ``openmm.XmlSerializer``) or force-field files (``forcefield``: DEFAULT_FORCEFIELD if neither is
    given), from which the System is built with no cutoff and bonds to hydrogen constrained.

    Raises:
        FileNotFoundError: for a missing file.
        ValueError: if both a System and force-field files are given, a force field does not cover the molecule, the
            XML is not a System, or the System is not supported (check_supported()).
    """
    for path in [pdb] + ([system] if system is not None else []):
        if not Path(path).is_file():
            raise FileNotFoundError(f"No file at {path}")
    if system is not None and forcefield is not None:
        raise ValueError("give either a System XML or force-field files, not both")
    structure = app.PDBFile(str(pdb))
    if system is not None:
        built = _read_system(Path(system))
    else:
        files = list(forcefield or DEFAULT_FORCEFIELD)
        try:
            built = app.ForceField(*files).createSystem(structure.topology, nonbondedMethod=app.NoCutoff,
                                                        constraints=app.HBonds)
        except ValueError as error:
            raise ValueError(f"the force field {' + '.join(files)} cannot build a System for {pdb}: {error}") from error
    return molecule(structure.topology, built, structure.positions)


def _read_system(path: Path) -> openmm.System:
    """The System serialized in an XML file (clear errors for another kind of XML)."""
    try:
        built = openmm.XmlSerializer.deserialize(path.read_text())
    except Exception as error:  # OpenMM raises a bare Exception for malformed XML
        raise ValueError(f"{path} is not a serialized OpenMM System: {error}") from error
    if not isinstance(built, openmm.System):
        raise ValueError(f"{path} holds a serialized {built.__class__.__name__}, not a System")
    return built


def add_molecule_arguments(parser) -> None:
    """The command-line options that name a molecule: --pdb, and --system or --forcefield."""
    parser.add_argument("--pdb", required=True, help="the molecule's topology and starting positions (PDB)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--system", help="a serialized OpenMM System (XML) of the same atoms, e.g. from your own set-up")
    source.add_argument("--forcefield", nargs="+", metavar="FILE",
                        help=f"OpenMM force-field files to build the System from, with no cutoff and HBond constraints "
                             f"(default: {' '.join(DEFAULT_FORCEFIELD)})")


def molecule_from_arguments(args) -> Molecule:
    """The molecule named by add_molecule_arguments()'s options."""
    return load_molecule(args.pdb, args.system, args.forcefield)

