#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write a capped dipeptide in its phi > 0 (alpha_L) basin, energy-minimised, as a start for MD in that basin.

At 300-424 K MD enters the phi > 0 basin rarely and leaves it slowly, so training data needs runs started there
(balance_basins.py). At 600 K MD crosses the barrier often: this takes the frame of a high-temperature trajectory
whose (phi, psi) lies nearest the basin's centre and minimises its energy (openmmtsf.molecule.load_molecule()'s
default: amber99sb-ildn, OBC, HBond constraints).

    phi_positive_start.py MOLECULE.pdb TRAJECTORY.npz --output OUT.pdb
"""
import argparse
from pathlib import Path

import numpy as np
import openmm
from openmm import app, unit

from openmmtsf.collective_variables import backbone_torsions, evaluate
from openmmtsf.molecule import load_molecule
from openmmtsf.simulation import load_trajectory

#: (phi, psi) in radians at the centre of the alpha_L basin.
ALPHA_L = np.array([1.0, 0.6])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pdb", type=Path, help="a capped dipeptide (ACE-X-NME)")
    parser.add_argument("trajectory", type=Path,
                        help="MD of that molecule (`python -m openmmtsf md`) that visits phi > 0")
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()
    molecule = load_molecule(args.pdb)
    backbone = backbone_torsions(molecule.topology)[:2]  # phi and psi of the dipeptide's central residue
    positions = load_trajectory(args.trajectory)["positions"]
    angles = evaluate(backbone, positions)
    offset = np.angle(np.exp(1j * (angles - ALPHA_L)))  # wrapped to (-pi, pi]
    nearest = int(np.argmin(np.sum(offset ** 2, axis=1)))
    if angles[nearest, 0] <= 0:
        raise SystemExit(f"{args.trajectory} has no frame with phi > 0")
    context = openmm.Context(molecule.system, openmm.VerletIntegrator(0.001),
                             openmm.Platform.getPlatformByName("Reference"))
    context.setPositions(positions[nearest] * unit.nanometer)
    openmm.LocalEnergyMinimizer.minimize(context)
    state = context.getState(getPositions=True, getEnergy=True)
    final = state.getPositions(asNumpy=True).value_in_unit(unit.nanometer)
    phi = float(evaluate(backbone[:1], final[None])[0, 0])
    if phi <= 0:
        raise SystemExit(f"minimisation left the phi > 0 basin (phi = {phi:.2f} rad)")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with open(args.output, "w") as handle:
        app.PDBFile.writeFile(molecule.topology, state.getPositions(), handle)
    print(f"{args.output}: frame {nearest}, phi {np.degrees(phi):.1f} deg, "
          f"energy {state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole):.1f} kJ/mol")


if __name__ == "__main__":
    main()
