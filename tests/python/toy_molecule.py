# SPDX-License-Identifier: MIT
"""A four-atom united-atom chain with a double-well torsion: a molecule small enough for a whole `fit` in a test."""
import numpy as np
import openmm
from openmm import app

from openmmtsf.molecule import Molecule


def toy_chain() -> Molecule:
    """Four carbons, bonds of 0.15 nm, angles of 1.9 rad and a torsion with wells near +-pi/2 under barriers of
    8 kJ/mol at 0 and pi, the positive well 1 kJ/mol the deeper."""
    topology = app.Topology()
    residue = topology.addResidue("TOY", topology.addChain())
    atoms = [topology.addAtom(f"C{i}", app.element.carbon, residue) for i in range(4)]
    for first, second in zip(atoms, atoms[1:]):
        topology.addBond(first, second)
    system = openmm.System()
    for _ in atoms:
        system.addParticle(12.0)
    bonds, angles = openmm.HarmonicBondForce(), openmm.HarmonicAngleForce()
    for i in range(3):
        bonds.addBond(i, i + 1, 0.15, 2.0e4)
    for i in range(2):
        angles.addAngle(i, i + 1, i + 2, 1.9, 300.0)
    torsion = openmm.CustomTorsionForce("4 * (1 + cos(2 * theta)) - 0.5 * sin(theta)")
    torsion.addTorsion(0, 1, 2, 3, [])
    for force in (bonds, angles, torsion):
        system.addForce(force)
    angle, rotation = 1.9, 1.2
    positions = np.array([[0.0, 0.0, 0.0], [0.15, 0.0, 0.0],
                          [0.15 - 0.15 * np.cos(angle), 0.15 * np.sin(angle), 0.0]])
    b1, b2 = positions[1] - positions[0], positions[2] - positions[1]
    normal = np.cross(b1, b2) / np.linalg.norm(np.cross(b1, b2))
    along = b2 / np.linalg.norm(b2)
    fourth = -np.cos(angle) * along + np.sin(angle) * (np.cos(rotation) * np.cross(normal, along)
                                                        + np.sin(rotation) * normal)
    positions = np.vstack([positions, positions[2] + 0.15 * fourth])
    return Molecule(topology, system, positions)
