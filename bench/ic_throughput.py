#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Throughput of the IC kernel (forward plus inverse) for alanine dipeptide, in configurations per second.

Measured through the Python bindings, batch sizes and platforms side by side in one run: Reference, CPU and,
where the plugin's OpenCL library is built, OpenCL in each precision (on this machine, PoCL on the CPU).
Every figure is the median of repeated timings; a second table gives each platform's ratio to Reference.
Run: .venv/bin/python bench/ic_throughput.py
"""
import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import openmm
from openmm import app, unit

import openmmtsf

PDB = Path(__file__).resolve().parents[1] / "examples" / "data" / "alanine-dipeptide.pdb"


def configurations_per_second(transform, x: np.ndarray, min_seconds: float) -> float:
    frames = transform.extract_frames(x)
    calls, start = 0, time.perf_counter()
    while True:
        ics, _ = transform.forward(x)
        transform.inverse(ics, frames)
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return calls * len(x) / elapsed


def available_platforms() -> list:
    """Reference and CPU, plus OpenCL in three precisions where OpenCL exists."""
    names = [openmm.Platform.getPlatform(i).getName() for i in range(openmm.Platform.getNumPlatforms())]
    keys = ["Reference", "CPU"]
    if "OpenCL" in names:
        keys += [f"OpenCL:{precision}" for precision in ("single", "mixed", "double")]
    return keys


def make_transform(definition, key: str):
    """A transform on the platform of a key such as "OpenCL:mixed"."""
    name, _, precision = key.partition(":")
    properties = {"Precision": precision} if precision else {}
    return openmmtsf.InternalCoordinateTransform(definition, openmm.Platform.getPlatformByName(name), properties)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 64, 4096])
    parser.add_argument("--platforms", nargs="+", default=available_platforms(),
                        help='platform names, with ":precision" for OpenCL or CUDA')
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.3, help="minimum time of one timing")
    args = parser.parse_args()

    pdb = app.PDBFile(str(PDB))
    definition = openmmtsf.internal_coordinates_from_topology(pdb.topology)
    start = pdb.getPositions(asNumpy=True).value_in_unit(unit.nanometer)
    rng = np.random.default_rng(0)
    print(f"IC forward + inverse, alanine dipeptide ({definition.getNumInternalCoordinates()} ICs); "
          f"median of {args.repeats} timings, configurations/s")
    header = f"{'platform':<16}" + "".join(f"{'B=' + str(b):>14}" for b in args.batches)
    print(header)
    rates = {}
    for key in args.platforms:
        transform = make_transform(definition, key)
        row = []
        for batch in args.batches:
            x = start + rng.normal(scale=0.005, size=(batch, *start.shape))
            row.append(statistics.median(configurations_per_second(transform, x, args.seconds)
                                         for _ in range(args.repeats)))
        rates[key] = row
        print(f"{key:<16}" + "".join(f"{value:>14.0f}" for value in row))
    if "Reference" in rates:
        print("\nratio to Reference")
        print(header)
        for key, row in rates.items():
            print(f"{key:<16}" + "".join(f"{value / base:>14.2f}" for value, base in zip(row, rates["Reference"])))


if __name__ == "__main__":
    main()
