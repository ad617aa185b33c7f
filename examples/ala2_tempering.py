#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The main job: replica-exchange tempering of alanine dipeptide (6 replicas, 300-600 K) with the shipped flow.

It is `python -m openmmtsf sample` with the shipped model and the shipped replica-exchange MD summary as the
reference (openmmtsf.tempering.run_tempering): a summary of the moves and exchanges, phi > 0 at 300 K against the
reference, a Ramachandran plot, and F(phi > 0) - F(phi < 0) against temperature by MBAR over the whole ladder. The
run checkpoints and resumes; rerun, it reports again. README.md shows the same tempering as an ordinary OpenMM
script. The paper's TSF baseline is models/ala2-tsf-600K.pt (use it with --prior-move-probability 0.2)."""
import argparse
from pathlib import Path

from openmmtsf.molecule import load_molecule
from openmmtsf.tempering import run_tempering
from openmmtsf.tsfplugin import TSFIntegrator

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--steps", type=int, default=20000, help="Monte Carlo steps after 1000 adaptation steps")
parser.add_argument("--output", type=Path, default=Path("ala2-tempering"))
parser.add_argument("--platform", default="Reference")
parser.add_argument("--model", type=Path, default=ROOT / "models" / "ala2-spline-chisq-300-600K.pt")
parser.add_argument("--prior-move-probability", type=float,
                    help="share of prior (Boltzmann-generator) moves (default: the integrator's, prior moves only)")
parser.add_argument("--seed", type=int, default=2024)
parser.add_argument("--overwrite", action="store_true", help="replace the results already in the output folder")
args = parser.parse_args()

try:
    run_tempering(load_molecule(HERE / "data" / "alanine-dipeptide.pdb"), args.model,
                  TSFIntegrator.geometricTemperatures(300.0, 600.0, 6), args.steps, args.output,
                  platform=args.platform, seed=args.seed, prior_move_probability=args.prior_move_probability,
                  adaptation_steps=1000, reference=HERE / "data" / "ala2-remd-300K-summary.npz", overwrite=args.overwrite)
except (FileExistsError, ValueError) as error:
    raise SystemExit(f"error: {error}")
