#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Sampling efficiency at 300 K, side by side in one run: effective samples of the phi > 0 indicator of alanine
dipeptide per 10^6 energy evaluations and per CPU-second, against replica-exchange MD.

Effective samples are the samples of the 300 K replica divided by their statistical inefficiency (pymbar); a
series whose indicator changes fewer than MIN_INDICATOR_CHANGES times counts as one effective sample. Each
method gets the same CPU time per repeat, after an equilibration that is not counted; the table gives the median
and the range over the repeats. As a second column, barrier crossings are counted per walker (a configuration
followed through its exchanges, with hysteresis: phi < 0 and 0.2 < phi < 2 are the basins), so exchanges that
bring another configuration to 300 K do not count.

Replica-exchange MD crosses too rarely for a run of a minute to estimate its rate, so its effective samples per
CPU-second are its long-run rate per energy evaluation (REMD_EFFECTIVE_PER_MILLION, from independent 5 ns runs with
exchanges every ps) times the energy evaluations per CPU-second that replica-exchange MD makes in this run (its
MD steps, one force and energy evaluation each). The bench's own short replica-exchange MD rows are printed too.

Methods: for each flow given, TSF replica exchange (300-600 K, 6 replicas) with each setting of SETTINGS (the
integrator's defaults among them); temperature replica-exchange MD (LangevinMiddle, 2 fs, exchanges every ps) on the
same ladder.
Run: OMP_NUM_THREADS=1 .venv/bin/python bench/sampling_efficiency.py [--seconds 20 --repeats 5 --models models/...]
"""
import argparse
import math
import statistics
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import mdtraj
import numpy as np
import openmm
from openmm import unit
from pymbar import timeseries

import openmmtsf
from openmmtsf.collective_variables import backbone_torsions
from openmmtsf.molecule import Molecule, load_molecule

ROOT = Path(__file__).resolve().parents[1]
LADDER = openmmtsf.TSFIntegrator.geometricTemperatures(300.0, 600.0, 6)
KB = unit.MOLAR_GAS_CONSTANT_R.value_in_unit(unit.kilojoule_per_mole / unit.kelvin)
MD_STEPS_PER_EXCHANGE = 500


class Recorder:
    """The phi atoms of every replica at each sample, with the walker each replica holds."""

    def __init__(self, phi_atoms: List[int]):
        self.phi_atoms = phi_atoms
        self.positions: List[np.ndarray] = []
        self.walkers: List[List[int]] = []

    def add(self, replica_positions: List[np.ndarray], walkers: List[int]) -> None:
        self.positions.append(np.stack([x[self.phi_atoms] for x in replica_positions]))
        self.walkers.append(list(walkers))

    def phi(self, topology: mdtraj.Topology) -> np.ndarray:
        """phi [samples, replicas] in radians."""
        xyz = np.array(self.positions)
        frames = xyz.reshape(-1, 4, 3)
        angles = mdtraj.compute_dihedrals(mdtraj.Trajectory(frames, topology.subset(self.phi_atoms)), [[0, 1, 2, 3]])
        return angles.reshape(xyz.shape[:2])


def crossings_per_walker(phi: np.ndarray, walkers: np.ndarray) -> int:
    """Basin changes of each configuration (walker) followed through exchanges, summed over walkers."""
    count = 0
    for walker in range(phi.shape[1]):
        series = phi[np.arange(len(phi)), np.argmax(walkers == walker, axis=1)]
        state = None
        for value in series:
            new = 0 if value < 0 else (1 if 0.2 < value < 2.0 else state)
            count += int(state is not None and new != state)
            state = new
    return count


#: Fewer changes of the indicator than this (two visits to phi > 0 and back) leave its statistical inefficiency
#: unestimated: a single short visit looks uncorrelated. Such a series counts as one effective sample.
MIN_INDICATOR_CHANGES = 4


def effective_samples(indicator: np.ndarray) -> float:
    """Samples divided by their statistical inefficiency (pymbar); 1 if the indicator changes too rarely."""
    if np.count_nonzero(np.diff(indicator)) < MIN_INDICATOR_CHANGES:
        return 1.0
    return len(indicator) / timeseries.statistical_inefficiency(indicator)


#: Replica-exchange MD's effective samples of the 300 K phi > 0 indicator per 10^6 energy evaluations, from
#: independent 5 ns-per-replica runs on this ladder with exchanges every ps.
REMD_EFFECTIVE_PER_MILLION = 24.0

#: TSF settings compared, by name: the integrator's setters and their values (what is not named keeps the default).
SETTINGS: Dict[str, Dict[str, float]] = {
    "integrator defaults": {},
    "random-walk moves, exchanges every step (the defaults before 2026-12)":
        {"setPriorMoveProbability": 0.0, "setExchangeInterval": 1},
    "prior 0.8, exchanges every step (the README example before 2026-12)":
        {"setPriorMoveProbability": 0.8, "setExchangeInterval": 1},
    "prior moves only, exchanges every 10 steps": {"setPriorMoveProbability": 1.0, "setExchangeInterval": 10},
    "integrator defaults, single-precision flow": {"setFlowPrecision": openmmtsf.TSFIntegrator.SinglePrecisionFlow},
}


def tsf_runner(model: Path, settings: Dict[str, float], record_interval: int = 1) -> Callable:
    def run(molecule: Molecule, seconds: float, seed: int, recorder: Recorder) -> Tuple[int, float]:
        tsf = openmm.XmlSerializer.deserialize(openmm.XmlSerializer.serialize(molecule.system))
        definition = openmmtsf.internal_coordinates_from_topology(molecule.topology, molecule.system)
        tsf.addForce(openmmtsf.TSFForce(str(model), definition))
        integrator = openmmtsf.TSFIntegrator(LADDER)
        for setter, value in settings.items():
            getattr(integrator, setter)(value)
        integrator.setAdaptationSteps(500)
        integrator.setRandomNumberSeed(seed)
        context = openmm.Context(tsf, integrator, openmm.Platform.getPlatformByName("Reference"))
        context.setPositions(molecule.positions)
        integrator.step(1000)
        evaluations, stride = 0, record_interval
        start = time.process_time()
        while time.process_time() - start < seconds:
            integrator.step(stride)
            evaluations += stride * len(LADDER)
            states = [integrator.getState(r, getPositions=True) for r in range(len(LADDER))]
            recorder.add([s.getPositions(asNumpy=True).value_in_unit(unit.nanometer) for s in states],
                         integrator.getWalkers())
        return evaluations, time.process_time() - start
    return run


def remd(molecule: Molecule, seconds: float, seed: int, recorder: Recorder) -> Tuple[int, float]:
    platform = openmm.Platform.getPlatformByName("Reference")
    contexts = []
    for i, t in enumerate(LADDER):
        integrator = openmm.LangevinMiddleIntegrator(t * unit.kelvin, 1 / unit.picosecond, 2 * unit.femtosecond)
        integrator.setRandomNumberSeed(seed + i)
        contexts.append(openmm.Context(molecule.system, integrator, platform))
        contexts[-1].setPositions(molecule.positions)
        contexts[-1].setVelocitiesToTemperature(t * unit.kelvin, seed + i)
    rng, walkers = np.random.default_rng(seed), list(range(len(LADDER)))

    def cycle(index: int) -> List[openmm.State]:
        for context in contexts:
            context.getIntegrator().step(MD_STEPS_PER_EXCHANGE)
        states = [c.getState(getPositions=True, getVelocities=True, getEnergy=True) for c in contexts]
        energies = [s.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole) for s in states]
        for i in range(index % 2, len(LADDER) - 1, 2):
            delta = (1 / (KB * LADDER[i]) - 1 / (KB * LADDER[i + 1])) * (energies[i] - energies[i + 1])
            if delta >= 0 or rng.uniform() < math.exp(delta):
                states[i], states[i + 1] = states[i + 1], states[i]
                walkers[i], walkers[i + 1] = walkers[i + 1], walkers[i]
                for k, other in ((i, i + 1), (i + 1, i)):
                    contexts[k].setPositions(states[k].getPositions())
                    contexts[k].setVelocities(states[k].getVelocities(asNumpy=True) * math.sqrt(LADDER[k] / LADDER[other]))
        return states

    for index in range(20):  # 20 ps of equilibration, as the TSF runs get 1000 steps
        cycle(index)
    evaluations, index = 0, 20
    start = time.process_time()
    while time.process_time() - start < seconds:
        states = cycle(index)
        index += 1
        evaluations += MD_STEPS_PER_EXCHANGE * len(LADDER)
        recorder.add([s.getPositions(asNumpy=True).value_in_unit(unit.nanometer) for s in states], walkers)
    return evaluations, time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="CPU seconds per method and repeat")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--models", type=Path, nargs="+",
                        default=[ROOT / "models" / "ala2-spline-chisq-300-600K.pt",
                                 ROOT / "models" / "ala2-tsf-600K.pt"],
                        help="flows of alanine dipeptide, each run with every setting chosen")
    parser.add_argument("--settings", nargs="+", choices=list(SETTINGS), default=list(SETTINGS),
                        help="TSF settings to compare (SETTINGS)")
    parser.add_argument("--remd-effective-per-million", type=float, default=REMD_EFFECTIVE_PER_MILLION,
                        help="replica-exchange MD's long-run effective samples per 10^6 energy evaluations")
    parser.add_argument("--record-interval", type=int, default=1,
                        help="TSF steps between recorded samples (the recording's CPU time counts): at 10, a flow "
                             "whose samples are nearly independent saturates at one effective sample per record")
    args = parser.parse_args()
    molecule = load_molecule(ROOT / "examples" / "data" / "alanine-dipeptide.pdb")
    phi_atoms = list(backbone_torsions(molecule.topology)[0].atoms)
    topology = mdtraj.Topology.from_openmm(molecule.topology)
    methods: Dict[str, Callable] = {}
    for model in args.models:
        for name in args.settings:
            methods[f"{model.name}: {name}"] = tsf_runner(model, SETTINGS[name], args.record_interval)
    methods["replica-exchange MD"] = remd
    results: Dict[str, List[Tuple[float, float, float]]] = {name: [] for name in methods}
    remd_evaluations_per_cpu_second = []
    for repeat in range(args.repeats):
        for name, run in methods.items():
            recorder = Recorder(phi_atoms)
            evaluations, cpu = run(molecule, args.seconds, 17 + repeat, recorder)
            phi = recorder.phi(topology)
            samples = effective_samples((phi[:, 0] > 0).astype(float))
            crossings = crossings_per_walker(phi, np.array(recorder.walkers))
            results[name].append((samples / evaluations * 1e6, samples / cpu, crossings / evaluations * 1e6))
            if run is remd:
                remd_evaluations_per_cpu_second.append(evaluations / cpu)
            changes = np.count_nonzero(np.diff(phi[:, 0] > 0))
            print(f"repeat {repeat}: {name}: {samples:.1f} effective samples of {len(phi)} ({changes} changes of the "
                  f"indicator), {crossings} crossings, "
                  f"{evaluations} energy evaluations, {cpu:.1f} CPU s, phi>0 at 300 K {np.mean(phi[:, 0] > 0):.4f}",
                  flush=True)
    evaluation_rate = statistics.median(remd_evaluations_per_cpu_second)
    reference = args.remd_effective_per_million * 1e-6 * evaluation_rate
    print(f"\nAlanine dipeptide, 300 K, phi > 0 indicator: medians [min-max] of {args.repeats} repeats of "
          f"{args.seconds:g} CPU-s each. Replica-exchange MD: {evaluation_rate:.0f} energy evaluations per CPU-s in "
          f"this run x {args.remd_effective_per_million:g} effective samples per 10^6 evaluations = {reference:.3g} "
          "effective samples per CPU-s")
    print("| method | effective samples / 10^6 evaluations | effective samples / CPU-s | "
          "per CPU-s vs replica-exchange MD | crossings per walker / 10^6 evaluations |")
    print("|---|---|---|---|---|")
    for name, rows in results.items():
        columns = np.array(rows)
        cells = [f"{np.median(c):.3g} [{c.min():.3g}-{c.max():.3g}]" for c in columns.T]
        ratio = "(its long-run rate: 1x)" if name == "replica-exchange MD" else \
            f"{np.median(columns[:, 1]) / reference:.3g}x"
        print(f"| {name} | {cells[0]} | {cells[1]} | {ratio} | {cells[2]} |")


if __name__ == "__main__":
    main()
