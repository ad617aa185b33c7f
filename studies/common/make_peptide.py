#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Builds a capped peptide from alanine dipeptide with PDBFixer: the residues of --sequence (three-letter names,
between the ACE and NME caps) are modelled after alanine dipeptide's ACE-ALA, then the peptide is relaxed in
amber14 + OBC2 (minimised, 20 ps of Langevin MD at 300 K, minimised again: PDBFixer's modelled residues start with
strained angles) and written as a PDB.

Usage: make_peptide.py --sequence ALA SER --output examples/data/ace-ala-ser-nme.pdb
(runs on the Reference platform; the first residue must be ALA, which alanine dipeptide provides)
"""
import argparse
import io
import os
from pathlib import Path

import openmm
from openmm import app, unit
from pdbfixer import PDBFixer

os.environ.setdefault("OPENMM_DEFAULT_PLATFORM", "Reference")  # PDBFixer's own Contexts: not a GPU-style platform
ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "examples" / "data" / "alanine-dipeptide.pdb"


def modelled(sequence: list) -> PDBFixer:
    """Alanine dipeptide with SEQRES naming ACE, the sequence and NME; NME renumbered past the new residues."""
    last = len(sequence) + 2
    lines = [line[:22] + f"{last:4d}" + line[26:] if line.startswith(("ATOM", "HETATM")) and line[17:20] == "NME"
             else line for line in TEMPLATE.read_text().splitlines()]
    names = ["ACE"] + sequence + ["NME"]
    seqres = f"SEQRES   1 A {len(names):4d}  " + " ".join(names)
    fixer = PDBFixer(pdbfile=io.StringIO("\n".join([seqres] + lines) + "\n"))
    fixer.findMissingResidues()
    fixer.findMissingAtoms()
    fixer.addMissingAtoms()
    fixer.addMissingHydrogens(7.0)
    return fixer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sequence", nargs="+", required=True, help="residues between the caps; the first is ALA")
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.sequence[0] != "ALA":
        raise SystemExit("the first residue must be ALA (alanine dipeptide's)")
    fixer = modelled(args.sequence)
    system = app.ForceField("amber14-all.xml", "implicit/obc2.xml").createSystem(
        fixer.topology, nonbondedMethod=app.NoCutoff, constraints=app.HBonds)
    integrator = openmm.LangevinMiddleIntegrator(300 * unit.kelvin, 1 / unit.picosecond, 2 * unit.femtosecond)
    integrator.setRandomNumberSeed(args.seed)
    context = openmm.Context(system, integrator, openmm.Platform.getPlatformByName("Reference"))
    context.setPositions(fixer.positions)
    openmm.LocalEnergyMinimizer.minimize(context)
    integrator.step(10000)
    openmm.LocalEnergyMinimizer.minimize(context)
    state = context.getState(getPositions=True, getEnergy=True)
    with open(args.output, "w") as handle:
        app.PDBFile.writeFile(fixer.topology, state.getPositions(), handle)
    print(f"{args.output}: {' '.join(r.name for r in fixer.topology.residues())}, {fixer.topology.getNumAtoms()} atoms, "
          f"U = {state.getPotentialEnergy()} in amber14 + OBC2")


if __name__ == "__main__":
    main()
