#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The time-step bias of Langevin MD at one temperature, beside TSF's and replica-exchange MD's samples: <U> and its
parts on trans-amide frames with phi < 0, and <U> within the main chi1 rotamer.

LangevinMiddle MD samples exp(-U/kT) only in the limit of a small time step; its error in an average grows about as
dt^2. Plain MD runs at several time steps (`python -m openmmtsf md --timestep FS`, grouped here by the time step
stored in each file) give, for every quantity, a weighted least-squares fit A(dt) = A0 + c dt^2: A0 is the
small-step limit and c dt^2 the bias of a step dt (4c at the 2 fs of the replica-exchange reference). A
quantity that relaxes within picoseconds (bond and angle energies; <U> within one side-chain rotamer) is pinned by
nanoseconds of plain MD, while the populations of slow states (rotamers, backbone basins) are not: for those the
plain MD runs only give the time-step dependence. Frames in the rare phi > 0 (alpha_L) basin, whose <U> is about 7
kJ/mol higher and which a plain MD run at 300 K visits for nanoseconds or not at all, are left out of every set.

Sets: --md (plain MD runs), --tsf-runs (`sample` folders, trajectory.dcd of the first temperature) and --remd
(`remd` outputs that recorded the lowest temperature's positions, grouped by time step; each group is also shown less
plain MD's bias at its time step, a correction that assumes exchanges add no bias of their own; the valine runs
suggest that they do, docs/validation.md). The energy of every frame is recomputed with OpenMM in four force groups:
bonds, angles, torsions, and nonbonded with implicit solvent. Error bars: a set's value is the mean over its runs,
each run counting once, with the standard error of their spread.

Writes <results>/<name>.md. Run: studies/common/timestep_bias.py --help
"""
import argparse
from pathlib import Path
from typing import Dict, List, Tuple

import mdtraj
import numpy as np
import openmm
import scipy.optimize
from openmm import unit

from openmmtsf.collective_variables import CollectiveVariable, amide_torsions, backbone_torsions, cis_amides, evaluate
from openmmtsf.molecule import add_molecule_arguments, molecule_from_arguments
from openmmtsf.simulation import load_trajectory
from openmmtsf.simulation.time_step import STEP_FS as REFERENCE_STEP_FS

ROOT = Path(__file__).resolve().parents[2]
#: Force groups of the energy parts, by the force class names of a System of the default force field
#: (openmmtsf.molecule.DEFAULT_FORCEFIELD).
PARTS = {"bonds": ("HarmonicBondForce",), "angles": ("HarmonicAngleForce",), "torsions": ("PeriodicTorsionForce",),
         "nonbonded + GB": ("NonbondedForce", "GBSAOBCForce", "CMMotionRemover")}
#: chi1 (degrees) of the main rotamer of valine's side chain at 300 K (about 80% of the population).
MAIN_ROTAMER_DEG = (-120.0, 0.0)
#: The table's quantities: energies in kJ/mol over trans frames with phi < 0, and the main rotamer's share of them.
COLUMNS = ["⟨U⟩", *PARTS, "main rotamer share", "⟨U⟩ main rotamer", "angles main rotamer"]


class FrameEnergies:
    """Potential energy of frames in the four PARTS (kJ/mol), from a Reference-platform Context."""

    def __init__(self, system: openmm.System):
        for force in system.getForces():
            force.setForceGroup(next(group for group, names in enumerate(PARTS.values())
                                     if type(force).__name__ in names))
        self.context = openmm.Context(system, openmm.VerletIntegrator(0.001),
                                      openmm.Platform.getPlatformByName("Reference"))

    def __call__(self, positions: np.ndarray) -> np.ndarray:
        """[F, N, 3] nm -> [F, len(PARTS)] kJ/mol."""
        parts = np.empty((len(positions), len(PARTS)))
        for i, frame in enumerate(positions.astype(np.float64)):
            self.context.setPositions(frame)
            for group in range(len(PARTS)):
                state = self.context.getState(getEnergy=True, groups={group})
                parts[i, group] = state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
        return parts


def run_values(trajectory: mdtraj.Trajectory, energies: FrameEnergies, amide_atoms,
               phi: CollectiveVariable) -> np.ndarray:
    """One run's values of COLUMNS over its trans-amide frames with phi < 0."""
    trajectory = trajectory[~cis_amides(trajectory.xyz, amide_atoms) & (evaluate([phi], trajectory.xyz)[:, 0] < 0)]
    parts = energies(trajectory.xyz)
    total = parts.sum(axis=1)
    chi1 = np.degrees(mdtraj.compute_chi1(trajectory)[1][:, 0])
    main = (chi1 > MAIN_ROTAMER_DEG[0]) & (chi1 <= MAIN_ROTAMER_DEG[1])
    angles = parts[:, list(PARTS).index("angles")]
    return np.array([total.mean(), *parts.mean(axis=0), main.mean(), total[main].mean(), angles[main].mean()])


def across_runs(values: List[np.ndarray]) -> Tuple[np.ndarray, np.ndarray]:
    """Mean over runs and the standard error of their spread, per column."""
    values = np.array(values)
    return values.mean(axis=0), values.std(axis=0, ddof=1) / np.sqrt(len(values))


def fit_step_squared(steps_fs: np.ndarray, means: np.ndarray, errors: np.ndarray) -> Dict[str, float]:
    """Weighted least squares A(dt) = A0 + c dt^2 (dt in fs): A0 and c with their errors, and chi^2."""
    def model(dt, a0, c):
        return a0 + c * dt ** 2
    (a0, c), covariance = scipy.optimize.curve_fit(model, steps_fs, means, sigma=errors, absolute_sigma=True)
    chi2 = float(np.sum(((means - model(steps_fs, a0, c)) / errors) ** 2))
    return {"limit": a0, "limit error": float(np.sqrt(covariance[0, 0])), "c": c,
            "c error": float(np.sqrt(covariance[1, 1])), "chi2": chi2}


def row(name: str, values: np.ndarray, errors: np.ndarray) -> str:
    """A table row of values ± errors."""
    return f"| {name} | " + " | ".join(f"{m:.3f} ± {e:.3f}" for m, e in zip(values, errors)) + " |"


def by_time_step(paths: List[Path], values_of) -> Dict[float, List[np.ndarray]]:
    """Each run's values (values_of(path, data)), grouped by the time step stored in its file (fs)."""
    groups: Dict[float, List[np.ndarray]] = {}
    for path in paths:
        data = load_trajectory(path)
        step_fs = float(data.get("timestep_fs", REFERENCE_STEP_FS))
        groups.setdefault(step_fs, []).append(values_of(path, data))
        print(f"{path.name}: {step_fs:g} fs")
    return dict(sorted(groups.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_molecule_arguments(parser)
    parser.add_argument("--md", type=Path, nargs="+", required=True, help="plain MD runs (.npz from `md`)")
    parser.add_argument("--tsf-runs", type=Path, nargs="*", default=[], help="folders of independent `sample` runs")
    parser.add_argument("--remd", type=Path, nargs="*", default=[], help="`remd` outputs with positions (.npz)")
    parser.add_argument("--burn-in-frames", type=int, default=200,
                        help="frames dropped from the start of each MD run (200: 100 ps at 0.5 ps per frame)")
    parser.add_argument("--results", type=Path, default=ROOT / "studies" / "valine-dipeptide" / "results")
    parser.add_argument("--name", default="val2_timestep_bias", help="stem of the result file")
    args = parser.parse_args()

    molecule = molecule_from_arguments(args)
    topology = mdtraj.Topology.from_openmm(molecule.topology)
    amide_atoms = amide_torsions(molecule.topology)
    phi = backbone_torsions(molecule.topology)[0]  # phi of the dipeptide's central residue
    energies = FrameEnergies(molecule.system)

    def values(trajectory: mdtraj.Trajectory) -> np.ndarray:
        return run_values(trajectory, energies, amide_atoms, phi)

    md_runs = by_time_step(args.md, lambda path, data: values(mdtraj.Trajectory(
        data["positions"][args.burn_in_frames:], topology)))
    if len(md_runs) < 2 or min(len(runs) for runs in md_runs.values()) < 2:
        parser.error("--md needs at least two runs at each of at least two time steps")
    sets = {f"Langevin MD {step:g} fs ({len(runs)} runs)": across_runs(runs) for step, runs in md_runs.items()}
    steps = np.array(list(md_runs))
    md_means, md_errors = (np.array([sets[name][i] for name in sets]) for i in (0, 1))
    fits = [fit_step_squared(steps, md_means[:, k], md_errors[:, k]) for k in range(len(COLUMNS))]
    slopes, slope_errors = np.array([f["c"] for f in fits]), np.array([f["c error"] for f in fits])
    if args.tsf_runs:
        tsf = across_runs([values(mdtraj.load_dcd(str(folder / "trajectory.dcd"), top=topology))
                           for folder in args.tsf_runs])
        sets[f"TSF ({len(args.tsf_runs)} runs)"] = tsf
    if any("positions" not in np.load(path).files for path in args.remd):
        parser.error("--remd needs outputs that recorded the lowest temperature's positions")
    remd_runs = by_time_step(args.remd, lambda path, data: values(mdtraj.Trajectory(data["positions"], topology)))
    for step, runs in remd_runs.items():
        sets[f"replica-exchange MD {step:g} fs ({len(runs)} runs)"] = across_runs(runs)

    lines = ["# Time-step bias of Langevin MD at 300 K, trans-amide frames with φ < 0 "
             "(generated by studies/common/timestep_bias.py)",
             "", "Energies in kJ/mol; each set's mean over its runs ± the standard error of their spread.", "",
             "| set | " + " | ".join(COLUMNS) + " |", "|---|" + "---|" * len(COLUMNS)]
    lines += [row(name, *values) for name, values in sets.items()]
    lines += [row("plain MD fit: small-step limit A0", [f["limit"] for f in fits], [f["limit error"] for f in fits]),
              row(f"plain MD fit: bias of a {REFERENCE_STEP_FS:g} fs step, A({REFERENCE_STEP_FS:g} fs) − A0",
                  slopes * REFERENCE_STEP_FS ** 2, slope_errors * REFERENCE_STEP_FS ** 2),
              f"| plain MD fit: χ² ({len(steps) - 2} degrees of freedom) | " +
              " | ".join(f"{f['chi2']:.1f}" for f in fits) + " |"]
    for step, runs in remd_runs.items() if args.tsf_runs else ():
        remd = sets[f"replica-exchange MD {step:g} fs ({len(runs)} runs)"]
        corrected, corrected_error = remd[0] - slopes * step ** 2, np.hypot(remd[1], slope_errors * step ** 2)
        z_raw = (tsf[0] - remd[0]) / np.hypot(tsf[1], remd[1])
        z = (tsf[0] - corrected) / np.hypot(tsf[1], corrected_error)
        lines += [row(f"replica-exchange MD {step:g} fs less plain MD's bias at {step:g} fs", corrected,
                      corrected_error),
                  f"| TSF − replica-exchange MD {step:g} fs (σ) | " + " | ".join(f"{v:+.2f}" for v in z_raw) + " |",
                  f"| TSF − replica-exchange MD {step:g} fs less the bias (σ) | " +
                  " | ".join(f"{v:+.2f}" for v in z) + " |"]
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"{args.name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
