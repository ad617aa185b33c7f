#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Pool MD trajectories of alanine dipeptide at one temperature into one training file whose share of phi > 0
frames is a chosen one.

At 300-424 K the phi > 0 basin (about 2-4% of the Boltzmann distribution) is entered rarely and left slowly, so
a few ns of MD hold anywhere from 0% to 50% of it, and a flow trained on them puts that share of its proposals
there: at 300 K the earlier training data held 31% and the flow 26%, a quarter of its proposals nearly wasted
(reverse ESS 0.35 overall, 0.45 within phi < 0). An independence sampler must not be starved in a basin either,
so the share asked for is a little above the Boltzmann population (the Metropolis step keeps the chain exact
whatever the share). Surplus phi > 0 frames are thinned evenly along the trajectories; phi < 0 frames are never
dropped (where phi > 0 is short, add MD runs started there: at 424 K a run leaves the basin within tens of ps).

    balance_basins.py IN.npz [IN.npz ...] --phi-positive-share 0.04 --output OUT.npz
"""
import argparse
import io
from pathlib import Path

import numpy as np
from openmm import app

from openmmtsf.analysis import backbone_atoms, dihedral
from openmmtsf.run_files import write_atomically
from openmmtsf.simulation import load_trajectory

PDB = Path(__file__).resolve().parents[1] / "data" / "alanine-dipeptide.pdb"


def evenly(indices: np.ndarray, count: int) -> np.ndarray:
    """`count` of the indices, spread evenly over them."""
    return indices[np.linspace(0, len(indices) - 1, count).round().astype(int)] if count < len(indices) else indices


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", type=Path, nargs="+", help="trajectories from `python -m openmmtsf md`, one temperature")
    parser.add_argument("--phi-positive-share", type=float, required=True, help="share of phi > 0 frames to keep")
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()
    if not 0.0 < args.phi_positive_share < 1.0:
        raise SystemExit("--phi-positive-share must be between 0 and 1")
    phi_atoms, _ = backbone_atoms(app.PDBFile(str(PDB)).topology)
    trajectories = [load_trajectory(path) for path in args.inputs]
    temperatures = {float(t["temperature"]) for t in trajectories}
    if len(temperatures) != 1:
        raise SystemExit(f"the inputs are at several temperatures: {sorted(temperatures)}")
    positions = np.concatenate([t["positions"] for t in trajectories])
    energies = np.concatenate([t["energies"] for t in trajectories])
    positive = dihedral(positions, phi_atoms) > 0
    inside, outside = np.flatnonzero(positive), np.flatnonzero(~positive)
    share = args.phi_positive_share
    if len(inside) > share * len(positions):  # too many phi > 0 frames: keep all phi < 0 ones
        inside = evenly(inside, int(round(share / (1 - share) * len(outside))))
    else:  # too few: keep everything (add short MD runs started at phi > 0 to reach the share)
        print(f"warning: only {len(inside)} phi > 0 frames: the share stays below {share}")
    kept = np.sort(np.concatenate([inside, outside]))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, positions=positions[kept], energies=energies[kept], temperature=temperatures.pop())
    write_atomically(args.output, buffer.getvalue())
    print(f"{args.output}: {len(kept)} of {len(positions)} frames, phi > 0 share {positive[kept].mean():.4f} "
          f"(was {positive.mean():.4f})")


if __name__ == "__main__":
    main()
