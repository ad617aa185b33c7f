#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Cost of TSF steps per energy evaluation, against one bare OpenMM energy evaluation, side by side in one run.

Alanine dipeptide (22 atoms, amber99sb-ildn + OBC, HBond constraints) with the shipped flow, prior moves only and
exchange attempts at the integrator's default interval (25 steps), as a user runs tempering. For each number K of prior proposals per flow call and each number
of replicas, the integrator's own clocks split the time into energies, flow calls, the IC transform and the rest
(exchanges, bookkeeping); "plugin + flow" is everything but the energies. The cost per energy evaluation (one per
replica and step) is given relative to a bare Context.getState(getEnergy=True) of the same System on the same
platform, timed in the same run. Figures are medians over repeats.
Run: .venv/bin/python bench/tsf_step_cost.py [--platforms Reference CPU]
"""
import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import openmm
import torch
from openmm import unit

import openmmtsf
from openmmtsf.molecule import load_molecule

ROOT = Path(__file__).resolve().parents[1]
PDB = ROOT / "examples" / "data" / "alanine-dipeptide.pdb"
MODEL = ROOT / "models" / "ala2-tsf-600K.pt"
PARTS = [("energies", openmmtsf.TSFIntegrator.EnergyPart), ("flow", openmmtsf.TSFIntegrator.FlowPart),
         ("IC transform", openmmtsf.TSFIntegrator.InternalCoordinatePart)]


def bare_energy_seconds(system: openmm.System, positions, platform: str, repeats: int, evaluations: int = 2000) -> float:
    """Median seconds of one energy evaluation (positions set, energy read) of a plain Context."""
    context = openmm.Context(system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName(platform))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(evaluations):
            context.setPositions(positions)
            context.getState(getEnergy=True)
        times.append((time.perf_counter() - start) / evaluations)
    return statistics.median(times)


def step_costs(system: openmm.System, positions, platform: str, replicas: int, proposals: int, steps: int,
               repeats: int) -> tuple:
    """(seconds per energy evaluation, [share of each part of PARTS]) as medians over repeats."""
    temperatures = [300.0] if replicas == 1 else openmmtsf.TSFIntegrator.geometricTemperatures(300.0, 600.0, replicas)
    integrator = openmmtsf.TSFIntegrator(temperatures)
    integrator.setPriorMoveProbability(1.0)
    integrator.setProposalsPerFlowCall(proposals)
    integrator.setRandomNumberSeed(1)
    context = openmm.Context(system, integrator, openmm.Platform.getPlatformByName(platform))
    context.setPositions(positions)
    integrator.step(max(50, proposals))
    per_evaluation, shares = [], []
    for _ in range(repeats):
        integrator.resetStatistics()
        integrator.step(steps)
        total = integrator.getSecondsSpent(openmmtsf.TSFIntegrator.TotalPart)
        per_evaluation.append(total / (steps * replicas))
        shares.append([integrator.getSecondsSpent(part) / total for _, part in PARTS])
    return statistics.median(per_evaluation), np.median(np.array(shares), axis=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--platforms", nargs="+", default=["Reference"])
    parser.add_argument("--proposals", type=int, nargs="+", default=[1, 8, 64, 512], help="K, with 8 replicas")
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 8, 32], help="replica counts, with K = 64")
    parser.add_argument("--torch-threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--models", type=Path, nargs="+", default=[MODEL], help="flows of alanine dipeptide")
    parser.add_argument("--steps", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    molecule = load_molecule(PDB)
    system = molecule.system
    # Positions as app.PDBFile gives them (a list of Vec3 with units), as bench/README.md's figures were measured: a
    # bare evaluation that sets an [N, 3] array instead takes about 40% less time on Reference.
    positions = [openmm.Vec3(*row) for row in molecule.positions] * unit.nanometer
    cases = [(8, k) for k in args.proposals] + [(r, 64) for r in args.replicas if r != 8 or 64 not in args.proposals]
    print(f"TSF steps of alanine dipeptide (prior moves, exchanges every 25 steps), medians of {args.repeats} x "
          f"{args.steps} steps; OpenMM {openmm.__version__}, torch {torch.__version__}")
    print("| model | platform | torch threads | replicas | K | cost / bare energy | energies | flow | IC transform | rest "
          "| plugin + flow |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for model in args.models:
        tsf = openmm.XmlSerializer.deserialize(openmm.XmlSerializer.serialize(system))
        definition = openmmtsf.internal_coordinates_from_topology(molecule.topology, system)
        tsf.addForce(openmmtsf.TSFForce(str(model), definition))
        for platform in args.platforms:
            for threads in args.torch_threads:
                torch.set_num_threads(threads)
                bare = bare_energy_seconds(system, positions, platform, args.repeats)
                for replicas, proposals in cases:
                    seconds, share = step_costs(tsf, positions, platform, replicas, proposals, args.steps, args.repeats)
                    print(f"| {model.name} | {platform} | {threads} | {replicas} | {proposals} | {seconds / bare:.2f} | "
                          + " | ".join(f"{100 * s:.1f}%" for s in share)
                          + f" | {100 * (1 - share.sum()):.1f}% | {100 * (1 - share[0]):.1f}% |", flush=True)
                print(f"| {model.name} | {platform} | {threads} | bare energy evaluation: {1e6 * bare:.1f} us "
                      "| | | | | | | |", flush=True)


if __name__ == "__main__":
    main()
