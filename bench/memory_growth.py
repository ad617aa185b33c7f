#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Resident memory of a long TSF run and of many Context lifetimes: it must stay flat.

Alanine dipeptide with the shipped flow on Reference, two replicas (300 and 600 K), 80% prior moves with 64
proposals per flow call, checkpoints taken and loaded every chunk; the resident set size (Linux /proc) after every
chunk of steps, then after Contexts created and destroyed one after another.
Run: .venv/bin/python bench/memory_growth.py [--steps 100000] [--chunk 10000] [--contexts 100]
"""
import argparse
import os
from pathlib import Path

import openmm

import openmmtsf
from openmmtsf.molecule import load_molecule

ROOT = Path(__file__).resolve().parents[1]


def resident_mib() -> float:
    """The process's resident set size in MiB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100000)
    parser.add_argument("--chunk", type=int, default=10000)
    parser.add_argument("--contexts", type=int, default=100)
    args = parser.parse_args()
    molecule = load_molecule(ROOT / "examples" / "data" / "alanine-dipeptide.pdb")
    system = molecule.system
    system.addForce(openmmtsf.TSFForce(str(ROOT / "models" / "ala2-spline-chisq-300-600K.pt"),
                                       openmmtsf.internal_coordinates_from_topology(molecule.topology, system)))

    def context() -> openmm.Context:
        integrator = openmmtsf.TSFIntegrator([300.0, 600.0])
        integrator.setPriorMoveProbability(0.8)
        integrator.setProposalsPerFlowCall(64)
        integrator.setRandomNumberSeed(5)
        created = openmm.Context(system, integrator, openmm.Platform.getPlatformByName("Reference"))
        created.setPositions(molecule.positions)
        return created

    long_run = context()
    print(f"{'steps':>8}{'RSS (MiB)':>11}")
    for done in range(0, args.steps + 1, args.chunk):
        if done:
            long_run.getIntegrator().step(args.chunk)
            long_run.loadCheckpoint(long_run.createCheckpoint())
        print(f"{done:>8}{resident_mib():>11.1f}", flush=True)
    del long_run
    print(f"{'contexts':>8}{'RSS (MiB)':>11}")
    for created in range(1, args.contexts + 1):
        short_run = context()
        short_run.getIntegrator().step(10)
        del short_run
        if created % max(1, args.contexts // 4) == 0:
            print(f"{created:>8}{resident_mib():>11.1f}", flush=True)


if __name__ == "__main__":
    main()
