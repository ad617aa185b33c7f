#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Sampling efficiency at 300 K, side by side in one run: phi-basin transitions of alanine dipeptide per 10^6
energy evaluations and per CPU-second, and the integrated autocorrelation time of the phi > 0 indicator.

Methods: TSF replica exchange (300-600 K, 6 replicas), TSF random-walk MCMC at 300 K only, MD with flow jumps,
plain LangevinMiddle MD, and temperature replica-exchange MD on the same ladder. Each gets the same CPU time
per repeat; figures are medians over repeats. A transition is a change between phi < 0 and 0.2 < phi < 2
(hysteresis: the state holds until the other region is reached).
Run: .venv/bin/python bench/sampling_efficiency.py [--seconds 30 --repeats 3]
"""
import argparse
import math
import statistics
import time
from pathlib import Path

import numpy as np
import openmm
from openmm import unit

import openmmtsf
from openmmtsf.analysis import backbone_atoms, dihedral
from openmmtsf.data import implicit_solvent_system

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "examples" / "models" / "ala2-tsf-600K.pt"
LADDER = openmmtsf.TSFIntegrator.geometricTemperatures(300.0, 600.0, 6)
KB = 1.380649e-23 * 6.02214076e23 / 1000.0


def transitions(phi: np.ndarray) -> int:
    state, count = None, 0
    for value in phi:
        new = 0 if value < 0 else (1 if 0.2 < value < 2.0 else state)
        if state is not None and new != state:
            count += 1
        state = new
    return count


def autocorrelation_time(series: np.ndarray) -> float:
    """Integrated autocorrelation time (in samples) by the initial positive sequence; inf without variance."""
    x = series - series.mean()
    if not np.any(x):
        return math.inf
    n = len(x)
    f = np.fft.rfft(x, 2 * n)
    acf = np.fft.irfft(f * np.conj(f))[:n] / (np.arange(n, 0, -1) * x.var())
    tau = 1.0
    for lag in range(1, n // 2, 2):
        pair = acf[lag] + acf[lag + 1]
        if pair <= 0:
            break
        tau += 2 * pair
    return tau


def tsf_system(pdb, system, frequency: int = 0):
    system = openmm.XmlSerializer.deserialize(openmm.XmlSerializer.serialize(system))
    force = openmmtsf.TSFForce(str(MODEL), openmmtsf.internal_coordinates_from_topology(pdb.topology, system))
    force.setFrequency(frequency)
    force.setJumpStepSize(0.1)
    force.setJumpPriorProbability(0.5)
    system.addForce(force)
    return system, force


def run_method(name: str, pdb, system, seconds: float, seed: int):
    """(phi series at 300 K, energy evaluations, CPU seconds, energy evaluations per sample)."""
    phi_atoms = backbone_atoms(pdb.topology)[0]
    platform = openmm.Platform.getPlatformByName("Reference")
    samples, evaluations = [], 0
    start = time.process_time()
    if name.startswith("TSF"):
        temperatures = LADDER if name == "TSF replica exchange" else [300.0]
        tsf, _ = tsf_system(pdb, system)
        integrator = openmmtsf.TSFIntegrator(temperatures)
        integrator.setPriorMoveProbability(0.2)
        integrator.setAdaptationSteps(500)
        integrator.setRandomNumberSeed(seed)
        context = openmm.Context(tsf, integrator, platform)
        context.setPositions(pdb.positions)
        integrator.step(500)
        start = time.process_time()
        while time.process_time() - start < seconds:
            integrator.step(10)
            evaluations += 10 * len(temperatures)
            x = integrator.getState(0, getPositions=True).getPositions(asNumpy=True).value_in_unit(unit.nanometer)
            samples.append(dihedral(x[None], phi_atoms)[0])
        per_sample = 10 * len(temperatures)
    elif name in ("MD with flow jumps", "plain MD"):
        frequency = 50 if name == "MD with flow jumps" else 0
        md_system, force = tsf_system(pdb, system, frequency) if frequency else (system, None)
        integrator = openmm.LangevinMiddleIntegrator(300 * unit.kelvin, 1 / unit.picosecond, 2 * unit.femtosecond)
        integrator.setRandomNumberSeed(seed)
        context = openmm.Context(md_system, integrator, platform)
        context.setPositions(pdb.positions)
        context.setVelocitiesToTemperature(300 * unit.kelvin, seed)
        while time.process_time() - start < seconds:
            integrator.step(500)
            evaluations += 500 + (2 * 500 // frequency if frequency else 0)
            x = context.getState(getPositions=True).getPositions(asNumpy=True).value_in_unit(unit.nanometer)
            samples.append(dihedral(x[None], phi_atoms)[0])
        per_sample = 500 + (2 * 500 // frequency if frequency else 0)
    else:
        contexts = []
        for i, t in enumerate(LADDER):
            integrator = openmm.LangevinMiddleIntegrator(t * unit.kelvin, 1 / unit.picosecond, 2 * unit.femtosecond)
            integrator.setRandomNumberSeed(seed + i)
            contexts.append(openmm.Context(system, integrator, platform))
            contexts[-1].setPositions(pdb.positions)
            contexts[-1].setVelocitiesToTemperature(t * unit.kelvin, seed + i)
        rng, cycle = np.random.default_rng(seed), 0
        while time.process_time() - start < seconds:
            for context in contexts:
                context.getIntegrator().step(500)
            states = [c.getState(getPositions=True, getVelocities=True, getEnergy=True) for c in contexts]
            energies = [s.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole) for s in states]
            for i in range(cycle % 2, len(LADDER) - 1, 2):
                delta = (1 / (KB * LADDER[i]) - 1 / (KB * LADDER[i + 1])) * (energies[i] - energies[i + 1])
                if delta >= 0 or rng.uniform() < math.exp(delta):
                    states[i], states[i + 1] = states[i + 1], states[i]
                    for k, other in ((i, i + 1), (i + 1, i)):
                        contexts[k].setPositions(states[k].getPositions())
                        contexts[k].setVelocities(states[k].getVelocities(asNumpy=True) * math.sqrt(LADDER[k] / LADDER[other]))
            cycle += 1
            evaluations += 500 * len(LADDER)
            x = states[0].getPositions(asNumpy=True).value_in_unit(unit.nanometer)
            samples.append(dihedral(x[None], phi_atoms)[0])
        per_sample = 500 * len(LADDER)
    return np.array(samples), evaluations, time.process_time() - start, per_sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30.0, help="CPU seconds per method and repeat")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    pdb, system = implicit_solvent_system(ROOT / "examples" / "data" / "alanine-dipeptide.pdb")
    methods = ["TSF replica exchange", "TSF random walk, 300 K", "MD with flow jumps", "plain MD", "replica-exchange MD"]
    results = {m: [] for m in methods}
    for repeat in range(args.repeats):
        for method in methods:
            phi, evaluations, cpu, per_sample = run_method(method, pdb, system, args.seconds, seed=17 + repeat)
            count = transitions(phi)
            tau = autocorrelation_time((phi > 0).astype(float)) * per_sample
            results[method].append((count / evaluations * 1e6, count / cpu, tau, count, evaluations))
            print(f"repeat {repeat}: {method}: {count} transitions, {evaluations} energy evaluations, {cpu:.1f} CPU s",
                  flush=True)
    print(f"\nMedians of {args.repeats} repeats of {args.seconds:g} CPU-s each")
    print("| method | transitions / 10^6 evaluations | transitions / CPU-s | IAT of phi>0 (evaluations) |")
    print("|---|---|---|---|")
    for method in methods:
        rows = np.array(results[method])
        median = np.median(rows, axis=0)
        tau = "n/a (no transitions)" if not np.isfinite(median[2]) or median[3] == 0 else f"{median[2]:.3g}"
        print(f"| {method} | {median[0]:.3g} | {median[1]:.3g} | {tau} |")


if __name__ == "__main__":
    main()
