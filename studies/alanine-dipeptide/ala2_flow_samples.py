#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Paper Fig. 3 A/C/E/G/H from the shipped alanine-dipeptide TSF: direct flow samples (no Monte Carlo) at
600 K (the training temperature) and 300 K against the MD sets. Writes PNGs and a table to studies/alanine-dipeptide/results/.

Needs data/ala2-600K.npz and data/ala2-300K.npz (python -m openmmtsf md ...; see studies/alanine-dipeptide/README.md).
"""
import argparse
from pathlib import Path
from typing import Sequence, Tuple

import matplotlib
import numpy as np
import openmm
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import openmmtsf  # noqa: E402
from openmmtsf.collective_variables import CollectiveVariable, backbone_torsions, evaluate  # noqa: E402
from openmmtsf.molecule import load_molecule  # noqa: E402
from openmmtsf.simulation import load_trajectory  # noqa: E402
from openmmtsf.train import BoltzmannEnergy  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def phi_psi(backbone: Sequence[CollectiveVariable], positions: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """phi and psi (radians) of configurations [F, N, 3] (nm), ``backbone`` holding the two torsions."""
    angles = evaluate(backbone, positions)
    return angles[:, 0], angles[:, 1]


def flow_samples(flow, transform, frame, temperature: float, count: int, seed: int):
    """Positions of direct flow samples at a temperature, and the fraction out of range."""
    generator = torch.Generator().manual_seed(seed)
    tau = temperature / flow.training_temperature
    z = torch.randn(count, flow.n_dims, dtype=torch.float64, generator=generator) * tau ** 0.5
    q = torch.randn(count, flow.n_aux, dtype=torch.float64, generator=generator) * tau ** 0.5
    with torch.no_grad():
        ics, _, _ = flow(z, q)
    x, _, out_of_range = transform.inverse(ics.numpy(), frame)
    return x[~out_of_range], out_of_range.mean()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "ala2-tsf-600K.pt")
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--results", type=Path, default=ROOT / "studies" / "alanine-dipeptide" / "results")
    parser.add_argument("--samples", type=int, default=10000)
    args = parser.parse_args()
    molecule = load_molecule(ROOT / "examples" / "data" / "alanine-dipeptide.pdb")
    definition = openmmtsf.internal_coordinates_from_topology(molecule.topology, molecule.system)
    transform = openmmtsf.InternalCoordinateTransform(definition, openmm.Platform.getPlatformByName("Reference"))
    flow = torch.jit.load(str(args.model))
    backbone = backbone_torsions(molecule.topology)  # phi1 and psi1 of alanine
    frame = transform.extract_frames(molecule.positions)
    args.results.mkdir(parents=True, exist_ok=True)
    sets, rows = {}, []
    for temperature in (600.0, 300.0):
        md = load_trajectory(args.data / f"ala2-{temperature:.0f}K.npz")
        x, rejected = flow_samples(flow, transform, frame, temperature, args.samples, seed=int(temperature))
        energy = BoltzmannEnergy(molecule.system, transform, molecule.positions, temperature)
        energies, _ = energy.energies_and_forces(x)
        md_x = md["positions"].astype(np.float64)
        sets[temperature] = {
            "TSF": (*phi_psi(backbone, x), energies),
            "MD": (*phi_psi(backbone, md_x), md["energies"]),
        }
        for source, (phi, _, u) in sets[temperature].items():
            rows.append((temperature, source, len(phi), np.mean(phi > 0), np.median(u),
                         rejected if source == "TSF" else 0.0))
    figure, axes = plt.subplots(2, 4, figsize=(16, 7.5))
    for row, temperature in enumerate((600.0, 300.0)):
        for column, source in enumerate(("TSF", "MD")):
            phi, psi, _ = sets[temperature][source]
            axis = axes[row, column]
            axis.hist2d(phi, psi, bins=60, range=[[-np.pi, np.pi], [-np.pi, np.pi]], cmap="viridis",
                        norm=matplotlib.colors.LogNorm())
            axis.set(title=f"{source} at {temperature:.0f} K", xlabel="phi", ylabel="psi")
        axis = axes[row, 2]
        for source in ("TSF", "MD"):
            axis.hist(sets[temperature][source][0], bins=60, range=(-np.pi, np.pi), density=True, histtype="step", label=source)
        axis.set(yscale="log", title=f"phi at {temperature:.0f} K", xlabel="phi")
        axis.legend()
        axis = axes[row, 3]
        for source in ("TSF", "MD"):
            u = sets[temperature][source][2]
            axis.hist(u, bins=60, range=(np.percentile(sets[temperature]["MD"][2], 0.1), np.percentile(sets[temperature]["MD"][2], 99.9) + 30),
                      density=True, histtype="step", label=source)
        axis.set(title=f"energy at {temperature:.0f} K", xlabel="U / kJ/mol")
        axis.legend()
    figure.tight_layout()
    figure.savefig(args.results / "ala2_flow_samples.png", dpi=110)
    table = ["| T (K) | source | samples | phi > 0 | median U (kJ/mol) | out of range |", "|---|---|---|---|---|---|"]
    table += [f"| {t:.0f} | {s} | {n} | {p:.4f} | {u:.1f} | {r:.3f} |" for t, s, n, p, u, r in rows]
    (args.results / "ala2_flow_samples.md").write_text(
        "# Direct samples of the shipped TSF against MD (paper Fig. 3)\n\n"
        "Flow samples are drawn from the prior N(0, T/600 K) and placed in the PDB's frame, with no Monte Carlo "
        "correction; out-of-range samples are dropped. MD: 10 ns, a frame per ps.\n\n" + "\n".join(table) + "\n")
    print("\n".join(table))


if __name__ == "__main__":
    main()
