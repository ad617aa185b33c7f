#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Pool MD trajectories of a capped dipeptide (alanine by default) at one temperature into one training file whose
share of phi > 0 frames is a chosen one.

At 300-424 K the phi > 0 basin (about 2-4% of the Boltzmann distribution) is entered rarely and left slowly, so
a few ns of MD hold anywhere from 0% to 50% of it, and a flow trained on them puts that share of its proposals
there: at 300 K the earlier training data held 31% and the flow 26%, a quarter of its proposals nearly wasted
(reverse ESS 0.35 overall, 0.45 within phi < 0). An independence sampler must not be starved in a basin either,
so the share asked for is a little above the Boltzmann population (the Metropolis step keeps the chain exact
whatever the share). Surplus phi > 0 frames are thinned evenly along the trajectories; phi < 0 frames are never
dropped (where phi > 0 is short, add MD runs started there: at 424 K a run leaves the basin within tens of ps).

MD never turns an amide cis, but at high temperature the Boltzmann distribution holds cis amides (TSF replica
exchange with trans-only training data found ~4% at 600 K and ~0.4% at 424 K, with a wide spread between runs:
the flow rarely proposed them). --cis adds the cis frames of MD runs started in a cis isomer (cis_amide.py) at
--cis-share of the output, thinned evenly.

    balance_basins.py IN.npz [IN.npz ...] --phi-positive-share 0.04 [--cis CIS.npz ... --cis-share 0.04] \
        --output OUT.npz [--pdb MOLECULE.pdb]
"""
import argparse
from pathlib import Path

import numpy as np
from openmm import app

from openmmtsf.collective_variables import amide_torsions, backbone_torsions, cis_amides, evaluate
from openmmtsf.run_files import save_arrays
from openmmtsf.simulation import load_trajectory

PDB = Path(__file__).resolve().parents[2] / "examples" / "data" / "alanine-dipeptide.pdb"


def evenly(indices: np.ndarray, count: int) -> np.ndarray:
    """`count` of the indices, spread evenly over them."""
    return indices[np.linspace(0, len(indices) - 1, count).round().astype(int)] if count < len(indices) else indices


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", type=Path, nargs="+", help="trajectories from `python -m openmmtsf md`, one temperature")
    parser.add_argument("--phi-positive-share", type=float, required=True, help="share of phi > 0 frames to keep")
    parser.add_argument("--cis", type=Path, nargs="+", default=[], help="trajectories started with a cis amide")
    parser.add_argument("--cis-share", type=float, default=0.0, help="share of cis frames in the output")
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--pdb", type=Path, default=PDB, help="the molecule (default: alanine dipeptide)")
    args = parser.parse_args()
    if not 0.0 < args.phi_positive_share < 1.0:
        raise SystemExit("--phi-positive-share must be between 0 and 1")
    if not 0.0 <= args.cis_share < 1.0 or bool(args.cis) != (args.cis_share > 0.0):
        raise SystemExit("--cis and a --cis-share between 0 and 1 go together")
    topology = app.PDBFile(str(args.pdb)).topology
    phi = backbone_torsions(topology)[0]  # phi of the dipeptide's central residue
    trajectories = [load_trajectory(path) for path in args.inputs]
    cis_trajectories = [load_trajectory(path) for path in args.cis]
    temperatures = {float(t["temperature"]) for t in trajectories + cis_trajectories}
    if len(temperatures) != 1:
        raise SystemExit(f"the inputs are at several temperatures: {sorted(temperatures)}")
    positions = np.concatenate([t["positions"] for t in trajectories])
    energies = np.concatenate([t["energies"] for t in trajectories])
    positive = evaluate([phi], positions)[:, 0] > 0
    inside, outside = np.flatnonzero(positive), np.flatnonzero(~positive)
    share = args.phi_positive_share
    if len(inside) > share * len(positions):  # too many phi > 0 frames: keep all phi < 0 ones
        inside = evenly(inside, int(round(share / (1 - share) * len(outside))))
    else:  # too few: keep everything (add short MD runs started at phi > 0 to reach the share)
        print(f"warning: only {len(inside)} phi > 0 frames: the share stays below {share}")
    kept = np.sort(np.concatenate([inside, outside]))
    positions, energies, positive = positions[kept], energies[kept], positive[kept]
    if cis_trajectories:
        cis_positions = np.concatenate([t["positions"] for t in cis_trajectories])
        cis_energies = np.concatenate([t["energies"] for t in cis_trajectories])
        cis = np.flatnonzero(cis_amides(cis_positions, amide_torsions(topology)))
        wanted = int(round(args.cis_share / (1 - args.cis_share) * len(positions)))
        if len(cis) < wanted:
            print(f"warning: only {len(cis)} cis frames: the cis share stays below {args.cis_share}")
        cis = evenly(cis, wanted)
        positions = np.concatenate([positions, cis_positions[cis]])
        energies = np.concatenate([energies, cis_energies[cis]])
        positive = np.concatenate([positive, evaluate([phi], cis_positions[cis])[:, 0] > 0])
    save_arrays(args.output, {"positions": positions, "energies": energies, "temperature": temperatures.pop()})
    print(f"{args.output}: {len(positions)} frames, phi > 0 share {positive.mean():.4f}, "
          f"{len(positions) - len(kept)} of them cis")


if __name__ == "__main__":
    main()
