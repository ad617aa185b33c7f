#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""<U> and basin populations of a capped dipeptide at one temperature by importance sampling of a flow's direct
samples, on trans-amide samples: an estimate that shares TSF's target density (exp(-U/kT) |det dx/d(ic)|) but none
of its Markov chain (no random-walk, prior or exchange moves), to tell a sampler's error from a target's.

Each repeat draws --samples samples with its own seed and gives one self-normalised estimate; the result is the
mean of the repeats with the standard error of their spread (a repeat's own error bar is unreliable when the
weights are heavy-tailed). Basins: alpha_R (phi < 0, -2.8 < psi <= 1 rad), beta (the rest of phi < 0), alpha_L
(phi > 0). Run:

    .venv/bin/python bench/importance_sampling.py MODEL.pt --pdb examples/data/valine-dipeptide.pdb \\
        --temperature 300 --repeats 40
"""
import argparse
import math
from pathlib import Path
from typing import Dict

import numpy as np
import torch
from tqdm import tqdm

from flow_quality import PDB, log_importance_weights, molecule_transform  # the script next to this one
from openmmtsf.analysis import amide_torsion_atoms, backbone_atoms, cis_amides, dihedral
from openmmtsf.train import BoltzmannEnergy

BATCH = 5000
#: psi limits (radians) of the alpha_R basin among phi < 0 frames, as in the validation tables.
ALPHA_R_PSI = (-2.8, 1.0)


def basin_masks(phi: np.ndarray, psi: np.ndarray) -> Dict[str, np.ndarray]:
    """Boolean masks of the alpha_R, beta and alpha_L basins for backbone torsions in radians."""
    alpha_r = (phi < 0) & (psi > ALPHA_R_PSI[0]) & (psi <= ALPHA_R_PSI[1])
    return {"alpha_R": alpha_r, "beta": (phi < 0) & ~alpha_r, "alpha_L": phi >= 0}


def one_repeat(flow, pdb, definition, transform, reference, frame, energy: BoltzmannEnergy, temperature: float,
               samples: int, seed: int) -> Dict[str, float]:
    """One self-normalised estimate from `samples` direct samples: <U> (kJ/mol) over trans-amide samples, and per
    basin its weight share and <U>; also the repeat's reverse ESS over all samples in range."""
    generator = torch.Generator().manual_seed(seed)
    particles = np.array(definition.getParticles())
    phi_atoms, psi_atoms = backbone_atoms(pdb.topology)
    amide_atoms = amide_torsion_atoms(pdb.topology)
    log_weights, energies, phi, psi, trans = [], [], [], [], []
    for _ in range(samples // BATCH):
        log_w, x, _, u = log_importance_weights(flow, transform, frame, energy, temperature, BATCH, generator)
        full = np.repeat(reference[None], len(x), axis=0)
        full[:, particles] = x
        log_weights.append(log_w)
        energies.append(u)
        phi.append(dihedral(full, phi_atoms))
        psi.append(dihedral(full, psi_atoms))
        trans.append(~cis_amides(full, amide_atoms))
    log_w, u = np.concatenate(log_weights), np.concatenate(energies)
    phi, psi, trans = np.concatenate(phi), np.concatenate(psi), np.concatenate(trans)
    w = np.exp(log_w - log_w.max())
    result = {"reverse ESS": float(w.sum() ** 2 / (len(w) * (w ** 2).sum()))}
    w = np.where(trans, w, 0.0)
    result["<U> trans"] = float((w * u).sum() / w.sum())
    for name, mask in basin_masks(phi, psi).items():
        result[f"share {name}"] = float(w[mask].sum() / w.sum())
        result[f"<U> {name}"] = float((w[mask] * u[mask]).sum() / w[mask].sum()) if w[mask].sum() > 0 else math.nan
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path, help="a temperature-conditioned flow (or a TSF model)")
    parser.add_argument("--pdb", type=Path, default=PDB, help="the molecule (default: alanine dipeptide)")
    parser.add_argument("--temperature", type=float, default=300.0, help="kelvin")
    parser.add_argument("--samples", type=int, default=100000, help="direct samples per repeat")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--seed", type=int, default=101, help="the first repeat's seed; the others follow it")
    args = parser.parse_args()
    if args.temperature <= 0 or args.samples < BATCH or args.repeats < 2:
        raise SystemExit(f"need a positive temperature, --samples >= {BATCH} and --repeats >= 2")
    pdb, system, definition, transform, reference, frame = molecule_transform(args.pdb)
    energy = BoltzmannEnergy(system, transform, reference, args.temperature)
    flow = torch.jit.load(str(args.model))
    repeats = [one_repeat(flow, pdb, definition, transform, reference, frame, energy, args.temperature,
                          args.samples, args.seed + r) for r in tqdm(range(args.repeats), desc="repeats")]
    print(f"{args.model.name} at {args.temperature:g} K: {args.repeats} repeats x {args.samples} samples "
          f"(seeds {args.seed}-{args.seed + args.repeats - 1}); mean +- standard error of the repeats")
    for key in repeats[0]:
        values = np.array([r[key] for r in repeats])
        values = values[np.isfinite(values)]
        print(f"{key:>16}: {values.mean():10.4f} +- {values.std(ddof=1) / math.sqrt(len(values)):.4f}  "
              f"(median {np.median(values):.4f}, {len(values)} repeats)")


if __name__ == "__main__":
    main()
