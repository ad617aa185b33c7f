#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Your own System from XML, through the whole pipeline: a capped peptide that no shipped model knows
(Ace-Ala-Ser-Nme, examples/data/ace-ala-ser-nme.pdb) in amber14 + OBC2, saved as System XML as your own set-up
would, then MD at three temperatures of the ladder, a temperature-conditioned spline flow trained on it (the
README's recipe), replica-exchange tempering with the flow over 300-600 K, and dF(T) of a basin of the serine's phi
by MBAR.

Each step is the command line's (printed before it runs), and each resumes: rerun the script to continue. The
defaults take about an hour on two cores, mostly MD; --nanoseconds, --iterations and --steps scale it. A flow
trained on much less data proposes little that the chain accepts.
"""
import argparse
import shlex
from pathlib import Path

import openmm
from openmm import app

import openmmtsf.cli

HERE = Path(__file__).resolve().parent
parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--output", type=Path, default=Path("custom-system"))
parser.add_argument("--nanoseconds", type=float, default=1.0, help="MD per temperature")
parser.add_argument("--iterations", type=int, default=3000, help="training iterations")
parser.add_argument("--steps", type=int, default=10000, help="tempering steps")
parser.add_argument("--platform", default="CPU", help="OpenMM platform for MD and tempering")
parser.add_argument("--basin", default="phi2>0", help="the basin whose dF(T) is estimated (phi2: the serine's phi)")
args = parser.parse_args()

pdb_path = HERE / "data" / "ace-ala-ser-nme.pdb"
out = args.output
out.mkdir(parents=True, exist_ok=True)
system_xml = out / "system.xml"
if not system_xml.is_file():  # your own set-up: any force field, vacuum or implicit solvent, no periodic box
    pdb = app.PDBFile(str(pdb_path))
    forcefield = app.ForceField("amber14-all.xml", "implicit/obc2.xml")
    system = forcefield.createSystem(pdb.topology, nonbondedMethod=app.NoCutoff, constraints=app.HBonds)
    system_xml.write_text(openmm.XmlSerializer.serialize(system))
molecule = ["--pdb", str(pdb_path), "--system", str(system_xml)]
temperatures = (300, 424, 600)
steps = [["md", *molecule, "--temperature", str(t), "--nanoseconds", str(args.nanoseconds), "--frame-interval", "0.1",
          "--platform", args.platform, "--seed", str(seed), "--output", str(out / f"md-{t}K.npz")]
         for seed, t in enumerate(temperatures, start=1)]
steps += [["train", *molecule, "--architecture", "spline", "--cosine-schedule", "--iterations", str(args.iterations),
           "--data", *[str(out / f"md-{t}K.npz") for t in temperatures], "--output", str(out / "flow.pt")],
          ["sample", *molecule, "--model", str(out / "flow.pt"), "--prior-move-probability", "0.8", "--steps",
           str(args.steps), "--basin", args.basin, "--platform", args.platform, "--output", str(out / "tempering")],
          ["analyze", str(out / "tempering"), "--basin", args.basin, "--output", str(out / "free-energy")]]
for command in steps:
    print("$ openmmtsf " + shlex.join(command))
    openmmtsf.cli.main(command)
