#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Validation of independent TSF runs of a dipeptide at one temperature against a reference simulation.

The reference is one or more independent runs of replica-exchange MD (.npz files from `python -m openmmtsf remd`:
positions and energies at the lowest temperature) or of plain MD (.npz files from `python -m openmmtsf md`:
positions and energies). The TSF runs are folders written by `python -m openmmtsf sample`, each holding
trajectory.dcd of the run's first temperature. phi and psi are those of the dipeptide's central residue
(phi1 and psi1: openmmtsf.collective_variables.backbone_torsions()).

Error bars:
  - TSF: from the spread of the independent runs (standard error of the mean of the per-run values);
  - reference: each run's from the statistical inefficiency of its series (pymbar), N / g effective samples; runs
    are pooled with weights proportional to their lengths. With three or more reference runs, phi > 0 is also
    compared with the mean of the reference runs and the standard error of their spread, which does not rest on
    one run's estimate of its own correlation time (rare-event error bars from one run can be too small), and so is
    <U>; the table then also gives the smallest relative bias of phi > 0 the comparison resolves (two combined
    standard errors over the reference value).
The populations of the central residue's Ramachandran regions (alpha_R, beta, alpha_L:
openmmtsf.collective_variables.ramachandran_regions) and the means and widths of every internal coordinate are
compared as well.

Writes <results>/<name>.md and <name>.png. Run: studies/common/validate_runs.py --help
"""
import argparse
from pathlib import Path
from typing import Dict, List, Tuple

import matplotlib
import mdtraj
import numpy as np
import openmm
import scipy.stats
from openmm import unit

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import openmmtsf  # noqa: E402
from openmmtsf.analysis import mean_with_error  # noqa: E402
from openmmtsf.collective_variables import (amide_torsions, backbone_torsions, cis_amides, evaluate,  # noqa: E402
                                            ramachandran_regions)
from openmmtsf.molecule import add_molecule_arguments, molecule_from_arguments  # noqa: E402
from openmmtsf.simulation import load_trajectory  # noqa: E402

BINS = 60


def pooled(series: List[np.ndarray]) -> Tuple[float, float]:
    """Mean and standard error of independent correlated series pooled frame by frame (weights N_i / N)."""
    total = sum(len(x) for x in series)
    mean = sum(float(np.sum(x)) for x in series) / total
    error = np.sqrt(sum((len(x) / total * mean_with_error(x)[1]) ** 2 for x in series))
    return mean, float(error)


def across_runs(values: List[float]) -> Tuple[float, float]:
    """Mean and standard error of the mean of per-run values."""
    values = np.asarray(values, dtype=float)
    return float(values.mean()), float(values.std(ddof=1) / np.sqrt(len(values)))


def kl_divergence(reference: np.ndarray, other: np.ndarray, pseudocount: float = 0.5) -> float:
    """KL(reference || other) of two (phi, psi) histograms, with a pseudocount in every bin."""
    p = (reference + pseudocount) / (reference + pseudocount).sum()
    q = (other + pseudocount) / (other + pseudocount).sum()
    return float(np.sum(p * np.log(p / q)))


def histogram(phi: np.ndarray, psi: np.ndarray) -> np.ndarray:
    return np.histogram2d(phi, psi, bins=BINS, range=[[-np.pi, np.pi], [-np.pi, np.pi]])[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_molecule_arguments(parser)
    parser.add_argument("--runs", nargs="+", type=Path, required=True, help="folders of independent `sample` runs")
    parser.add_argument("--reference", type=Path, nargs="+", required=True,
                        help="independent REMD runs, or independent MD runs (.npz, with positions)")
    parser.add_argument("--temperature", type=float, default=300.0, help="kelvin: the runs' first temperature")
    parser.add_argument("--title", default="TSF runs")
    parser.add_argument("--results", type=Path, required=True,
                        help="folder of the result files (a study's results/)")
    parser.add_argument("--name", required=True, help="stem of the result files")
    parser.add_argument("--summary", type=Path, help="write the reference's small summary here (the 60x60 (phi, psi) "
                        "histogram of residue 1 and the population of the basin phi1>0 with its error), which "
                        "`sample --reference` and the main job read")
    parser.add_argument("--trans-only", action="store_true",
                        help="compare frames with both amides trans only (|omega| > pi/2): MD does not cross the cis-trans "
                        "barrier, while the exact Boltzmann distribution that TSF samples holds cis amides at high T")
    args = parser.parse_args()

    molecule = molecule_from_arguments(args)
    topology = mdtraj.Topology.from_openmm(molecule.topology)
    backbone = backbone_torsions(molecule.topology)[:2]  # phi and psi of the dipeptide's central residue
    context = openmm.Context(molecule.system, openmm.VerletIntegrator(0.001),
                             openmm.Platform.getPlatformByName("Reference"))
    definition = openmmtsf.internal_coordinates_from_topology(molecule.topology, molecule.system)
    transform = openmmtsf.InternalCoordinateTransform(definition, openmm.Platform.getPlatformByName("Reference"))

    def energies(positions: np.ndarray) -> np.ndarray:
        values = np.empty(len(positions))
        for i, frame in enumerate(positions):
            context.setPositions(frame)
            values[i] = context.getState(getEnergy=True).getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
        return values

    def torsions(trajectory: mdtraj.Trajectory) -> Tuple[np.ndarray, np.ndarray]:
        angles = evaluate(backbone, trajectory.xyz)
        return angles[:, 0], angles[:, 1]

    def ics(positions: np.ndarray) -> np.ndarray:
        return transform.forward(np.asarray(positions, dtype=np.float64)[:, definition.getParticles()])[0]

    amide_atoms = amide_torsions(molecule.topology)

    def kept_frames(trajectory: mdtraj.Trajectory) -> mdtraj.Trajectory:
        """All frames, or with --trans-only those whose two amides are trans."""
        if not args.trans_only:
            return trajectory
        return trajectory[~cis_amides(trajectory.xyz, amide_atoms)]

    references = [load_trajectory(path) for path in args.reference]
    if not all("positions" in reference for reference in references):
        parser.error("--reference needs runs with positions (.npz files from `md`, or from `remd` of this version)")
    ref_trajectories = [kept_frames(mdtraj.Trajectory(reference["positions"], topology)) for reference in references]
    ref_torsions = [torsions(trajectory) for trajectory in ref_trajectories]
    ref_ics = [ics(trajectory.xyz.astype(np.float64)) for trajectory in ref_trajectories]
    ref_u = [energies(trajectory.xyz.astype(np.float64)) for trajectory in ref_trajectories] if args.trans_only \
        else [np.asarray(reference["energies"], dtype=float) for reference in references]
    ref_phi = np.concatenate([phi for phi, _ in ref_torsions])
    ref_psi = np.concatenate([psi for _, psi in ref_torsions])

    runs: Dict[str, Dict[str, np.ndarray]] = {}
    for folder in args.runs:
        trajectory = kept_frames(mdtraj.load_dcd(str(folder / "trajectory.dcd"), top=topology))
        phi, psi = torsions(trajectory)
        positions = trajectory.xyz.astype(np.float64)
        runs[folder.name] = {"phi": phi, "psi": psi, "u": energies(positions), "ics": ics(positions)}

    if args.summary:
        # The dipeptide's central residue (index 1) and its phi > 0 basin, in the command line's names.
        np.savez_compressed(args.summary, histogram=histogram(ref_phi, ref_psi), histogram_residue=np.array(1),
                            basin=np.array("phi1>0"),
                            basin_population=np.array(pooled([(phi > 0).astype(float) for phi, _ in ref_torsions])))
    reference_population = pooled([(phi > 0).astype(float) for phi, _ in ref_torsions])
    rows = [(f"reference ({len(references)} run{'s' if len(references) > 1 else ''})", len(ref_phi),
             *reference_population, *pooled(ref_u), 0.0)]
    pooled_phi = np.concatenate([r["phi"] for r in runs.values()])
    pooled_psi = np.concatenate([r["psi"] for r in runs.values()])
    population = across_runs([float(np.mean(r["phi"] > 0)) for r in runs.values()])
    mean_energy = across_runs([float(r["u"].mean()) for r in runs.values()])
    rows.append((f"{args.title} ({len(runs)} runs)", len(pooled_phi), *population, *mean_energy,
                 kl_divergence(histogram(ref_phi, ref_psi), histogram(pooled_phi, pooled_psi))))
    z_population = abs(population[0] - rows[0][2]) / np.hypot(population[1], rows[0][3])
    z_energy = abs(mean_energy[0] - rows[0][4]) / np.hypot(mean_energy[1], rows[0][5])

    lines = [f"# {args.title} at {args.temperature:g} K against {', '.join(path.name for path in args.reference)}"
             f"{', frames with both amides trans' if args.trans_only else ''} (generated by studies/common/validate_runs.py)", "",
             "| set | frames | φ > 0 | ⟨U⟩ (kJ/mol) | KL vs reference (φ, ψ; 60×60) |", "|---|---|---|---|---|"]
    lines += [f"| {n} | {f} | {p:.4f} ± {pe:.4f} | {u:.2f} ± {ue:.2f} | {k:.3f} |" for n, f, p, pe, u, ue, k in rows]
    lines += ["", f"- φ > 0 differs by {z_population:.2f} combined standard errors; ⟨U⟩ by {z_energy:.2f}.",
              "- Per run: " + ", ".join(f"{name} φ>0 {np.mean(r['phi'] > 0):.4f}, ⟨U⟩ {r['u'].mean():.2f}"
                                       for name, r in runs.items()) + ".",
              "- Per reference run, φ > 0 with its own error bar: " + ", ".join(
                  f"{path.name} {value:.4f} ± {error:.4f}" for path, (value, error) in
                  zip(args.reference, (mean_with_error(phi > 0) for phi, _ in ref_torsions))) + "."]
    if len(references) >= 3:
        spread = across_runs([float(np.mean(phi > 0)) for phi, _ in ref_torsions])
        energy_spread = across_runs([float(np.mean(u)) for u in ref_u])
        combined = np.hypot(population[1], spread[1])
        lines.append(f"- Reference runs' mean and the standard error of their spread: φ > 0 {spread[0]:.4f} ± {spread[1]:.4f}; "
                     f"TSF differs from it by {abs(population[0] - spread[0]) / combined:.2f} combined standard errors; "
                     f"two of them are {200.0 * combined / spread[0]:.1f}% of the reference value (the smallest "
                     f"relative bias this comparison shows). ⟨U⟩ {energy_spread[0]:.2f} ± {energy_spread[1]:.2f}; TSF "
                     f"differs by {abs(mean_energy[0] - energy_spread[0]) / np.hypot(mean_energy[1], energy_spread[1]):.2f}.")
    regions = []
    for region in ("alpha_R", "beta", "alpha_L"):
        tsf = across_runs([float(np.mean(ramachandran_regions(r["phi"], r["psi"])[region])) for r in runs.values()])
        shares = [ramachandran_regions(phi, psi)[region].astype(float) for phi, psi in ref_torsions]
        ref = across_runs([float(np.mean(x)) for x in shares]) if len(references) >= 3 else pooled(shares)
        regions.append(f"{region} {tsf[0]:.4f} ± {tsf[1]:.4f} against {ref[0]:.4f} ± {ref[1]:.4f} "
                       f"({abs(tsf[0] - ref[0]) / np.hypot(tsf[1], ref[1]):.2f})")
    lines.append("- Ramachandran regions of the central residue, TSF against the reference (" +
                 ("the mean and the standard error of the spread of the reference runs" if len(references) >= 3 else
                  "the reference runs pooled") + "; in parentheses the difference in combined standard errors): " +
                 "; ".join(regions) + ".")
    kinds = ["bond"] * definition.getNumBonds() + ["angle"] * definition.getNumAngles()
    kinds += ["torsion"] * (definition.getNumInternalCoordinates() - len(kinds))
    z_means, z_widths = [], []
    for i in range(len(kinds)):
        per_run_mean = across_runs([float(r["ics"][:, i].mean()) for r in runs.values()])
        per_run_width = across_runs([float(r["ics"][:, i].std()) for r in runs.values()])
        reference_mean = pooled([x[:, i] for x in ref_ics])
        z_means.append((per_run_mean[0] - reference_mean[0]) / np.hypot(per_run_mean[1], reference_mean[1]))
        squares = pooled([(x[:, i] - reference_mean[0]) ** 2 for x in ref_ics])
        width = np.sqrt(squares[0])
        width_error = squares[1] / (2.0 * width)
        z_widths.append((per_run_width[0] - width) / np.hypot(per_run_width[1], width_error))
    z_means, z_widths = np.array(z_means), np.array(z_widths)
    lines += [f"- Marginals of the {len(kinds)} internal coordinates (torsions as plain angles in (−π, π]): "
              f"means differ by at most {np.abs(z_means).max():.2f} combined standard errors (mean z² "
              f"{np.mean(z_means ** 2):.2f}), standard deviations by at most {np.abs(z_widths).max():.2f} "
              f"(mean z² {np.mean(z_widths ** 2):.2f}); each kind's largest |z|: " +
              ", ".join(f"{kind} {max(abs(z) for z, k in zip(z_means, kinds) if k == kind):.2f}"
                        for kind in ("bond", "angle", "torsion")) + "."]
    freedom = len(runs) - 1
    largest = float(np.abs(z_means).max())
    chance = 1.0 - (1.0 - 2.0 * scipy.stats.t.sf(largest, freedom)) ** len(kinds)
    lines += [f"- With the TSF error bars from {len(runs)} runs, these z-scores follow roughly Student's t with "
              f"{freedom} degrees of freedom" + (f" (E[z²] = {freedom / (freedom - 2):.1f})" if freedom > 2 else "") +
              f"; the chance that the largest of {len(kinds)} |z| of the means is {largest:.2f} or more is "
              f"{chance:.2f}."]
    text = "\n".join(lines) + "\n"

    figure, axes = plt.subplots(1, 3, figsize=(13.2, 4))
    for axis, (name, phi, psi) in zip(axes, [("reference", ref_phi, ref_psi), (args.title, pooled_phi, pooled_psi)]):
        axis.hist2d(phi, psi, bins=BINS, range=[[-np.pi, np.pi], [-np.pi, np.pi]], norm=matplotlib.colors.LogNorm())
        axis.set(title=f"{name}, {args.temperature:g} K", xlabel="φ", ylabel="ψ")
    all_ref_u = np.concatenate(ref_u)
    low = np.percentile(all_ref_u, 0.5)
    axes[2].hist(all_ref_u, bins=60, range=(low, low + 120), density=True, histtype="step", label="reference")
    axes[2].hist(np.concatenate([r["u"] for r in runs.values()]), bins=60, range=(low, low + 120), density=True,
                 histtype="step", label=args.title)
    axes[2].set(title="potential energy", xlabel="U / kJ/mol")
    axes[2].legend(fontsize=7)
    figure.tight_layout()
    args.results.mkdir(parents=True, exist_ok=True)
    figure.savefig(args.results / f"{args.name}.png", dpi=100)
    (args.results / f"{args.name}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
