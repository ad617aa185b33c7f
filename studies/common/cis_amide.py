#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write a capped dipeptide with one peptide bond turned cis, energy-minimised, as a start for MD in that isomer.

MD at 300-600 K never crosses the cis-trans barrier of an amide (~80 kJ/mol), so training data from MD holds no cis
amides, while the Boltzmann distribution at 600 K does (TSF replica exchange finds a few per cent). A flow that never
proposes them gives cis configurations huge importance weights. This flips omega of one amide by a rigid rotation
of the cap on the far side of its C-N bond (bond lengths and angles unchanged), then minimises the energy
(openmmtsf.molecule.load_molecule()'s default: amber99sb-ildn, OBC, HBond constraints).

    cis_amide.py IN.pdb --amide 1 --output OUT.pdb    (1: ACE-X, 2: X-NME)
"""
import argparse
from pathlib import Path

import numpy as np
import openmm
from openmm import app, unit

from openmmtsf.collective_variables import CollectiveVariable, amide_torsions, evaluate
from openmmtsf.molecule import load_molecule


def rotated(positions: np.ndarray, axis_from: int, axis_to: int, moving: np.ndarray, angle: float) -> np.ndarray:
    """positions [N, 3] with the atoms `moving` rotated by `angle` (radians) about the axis through two atoms."""
    origin = positions[axis_from]
    axis = positions[axis_to] - origin
    axis /= np.linalg.norm(axis)
    relative = positions[moving] - origin
    cos, sin = np.cos(angle), np.sin(angle)
    turned = relative * cos + np.cross(axis, relative) * sin + np.outer(relative @ axis, axis) * (1.0 - cos)
    result = positions.copy()
    result[moving] = origin + turned
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pdb", type=Path, help="a capped dipeptide (ACE-X-NME) with trans amides")
    parser.add_argument("--amide", type=int, choices=(1, 2), required=True, help="1: ACE-X, 2: X-NME")
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()
    molecule = load_molecule(args.pdb)
    topology, positions = molecule.topology, molecule.positions
    omega = CollectiveVariable("omega", "dihedral", amide_torsions(topology)[args.amide - 1])
    carbon, nitrogen = omega.atoms[1], omega.atoms[2]
    cap = 0 if args.amide == 1 else 2  # the residue on the far side of the bond: ACE or NME
    moving = np.array([atom.index for atom in topology.atoms() if atom.residue.index == cap])
    pivot, toward = (nitrogen, carbon) if args.amide == 1 else (carbon, nitrogen)
    flipped = rotated(positions, pivot, toward, moving, np.pi)
    context = openmm.Context(molecule.system, openmm.VerletIntegrator(0.001),
                             openmm.Platform.getPlatformByName("Reference"))
    context.setPositions(flipped * unit.nanometer)
    openmm.LocalEnergyMinimizer.minimize(context)
    state = context.getState(getPositions=True, getEnergy=True)
    final = state.getPositions(asNumpy=True).value_in_unit(unit.nanometer)
    angle = float(evaluate([omega], final[None])[0, 0])
    if abs(angle) > np.pi / 2:
        raise SystemExit(f"the amide went back to trans during minimisation (omega = {angle:.2f} rad)")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with open(args.output, "w") as handle:
        app.PDBFile.writeFile(topology, state.getPositions(), handle)
    print(f"{args.output}: amide {args.amide} cis (omega {np.degrees(angle):.1f} deg), "
          f"energy {state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole):.1f} kJ/mol")


if __name__ == "__main__":
    main()
