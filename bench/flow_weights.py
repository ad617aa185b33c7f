#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Where a flow's importance weights are heavy: the direct samples of a temperature-conditioned alanine-dipeptide
flow with the largest weights w = exp(-U/kT) |det dx/d(ic)| / q, with their phi, psi and the two amide torsions
omega, the cis-amide share (|omega| < pi/2) of the raw and of the weighted samples, and the same for samples whose
stereo torsions (openmmtsf.stereo: the alpha carbon's chirality, the order of each methyl's hydrogens) have the
other sign than in the PDB structure: mirror images or relabellings, which MD never visits.

A reverse ESS that collapses as the number of samples grows means a region of the target that the flow barely
covers; this names it. Run: .venv/bin/python bench/flow_weights.py MODEL.pt --temperature 450 --samples 100000
"""
import argparse
from pathlib import Path

import numpy as np
import torch

from flow_quality import PDB, log_importance_weights, molecule_transform  # the script next to this one
from openmmtsf.analysis import amide_torsion_atoms, backbone_atoms, dihedral
from openmmtsf.stereo import stereo_torsions
from openmmtsf.train import BoltzmannEnergy

BATCH = 5000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--temperature", type=float, default=450.0, help="kelvin")
    parser.add_argument("--samples", type=int, default=100000)
    parser.add_argument("--top", type=int, default=10, help="how many of the heaviest samples to list")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    pdb, system, definition, transform, reference, frame = molecule_transform(PDB)
    energy = BoltzmannEnergy(system, transform, reference, args.temperature)
    flow = torch.jit.load(str(args.model))
    particles = np.array(definition.getParticles())
    torsion_atoms = [*backbone_atoms(pdb.topology), *amide_torsion_atoms(pdb.topology)]
    generator = torch.Generator().manual_seed(args.seed)
    reference_ics, _ = transform.forward(reference[None, particles])
    stereo = stereo_torsions(definition, reference_ics)
    log_weights, torsions, flipped = [], [], []
    for _ in range(args.samples // BATCH):
        log_w, x, _, _ = log_importance_weights(flow, transform, frame, energy, args.temperature, BATCH, generator)
        full = np.repeat(reference[None], len(x), axis=0)
        full[:, particles] = x
        log_weights.append(log_w)
        sample_ics, _ = transform.forward(x)
        flipped.append(np.any(np.sign(sample_ics[:, stereo]) != np.sign(reference_ics[0, stereo]), axis=1))
        torsions.append(np.stack([dihedral(full, atoms) for atoms in torsion_atoms], axis=1))
    log_w, torsions = np.concatenate(log_weights), np.concatenate(torsions)
    w = np.exp(log_w - log_w.max())
    w /= w.sum()
    print(f"{len(w)} samples at {args.temperature:g} K: reverse ESS {1.0 / (len(w) * (w ** 2).sum()):.4f}; the "
          f"{args.top} heaviest carry {np.sort(w)[-args.top:].sum():.3f} of the weight")
    print(f"{'weight':>8}{'phi':>7}{'psi':>7}{'omega1':>8}{'omega2':>8}")
    for i in np.argsort(-w)[:args.top]:
        print(f"{w[i]:>8.4f}" + "".join(f"{angle:>+7.2f} " for angle in torsions[i]))
    cis = np.abs(torsions[:, 2:]) < np.pi / 2
    for k, name in enumerate(("omega1 (ACE-ALA)", "omega2 (ALA-NME)")):
        print(f"cis {name}: {cis[:, k].mean():.5f} of the flow's samples, {w[cis[:, k]].sum():.5f} of the weight")
    flipped = np.concatenate(flipped)
    print(f"stereo torsions flipped (mirror image or relabelled hydrogens): {flipped.mean():.5f} of the flow's "
          f"samples, {w[flipped].sum():.5f} of the weight; reverse ESS without them "
          f"{w[~flipped].sum() ** 2 / ((~flipped).sum() * (w[~flipped] ** 2).sum()):.4f}")


if __name__ == "__main__":
    main()
