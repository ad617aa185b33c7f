#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Cost split of one TSF replica-exchange step: energies, flow calls, IC transform and the rest.

Alanine dipeptide (22 atoms, amber99sb-ildn + OBC, HBond constraints) with an untrained temperature-
steerable flow of the shipped size (8 couplings of width 128: the cost of a flow call does not depend on its
training). The integrator measures each part of its steps itself; the figures are medians over repeats, all
in one run. Run: .venv/bin/python bench/tsf_step_cost.py
"""
import argparse
import statistics
from pathlib import Path

import numpy as np
import openmm
import torch
from openmm import app, unit

import openmmtsf
from openmmtsf.flows import ICNormalization, TemperatureSteerableFlow

PDB = Path(__file__).resolve().parents[1] / "examples" / "data" / "alanine-dipeptide.pdb"
PARTS = [("energies", openmmtsf.TSFIntegrator.EnergyPart), ("flow", openmmtsf.TSFIntegrator.FlowPart),
         ("IC transform", openmmtsf.TSFIntegrator.InternalCoordinatePart)]


def build(pdb: app.PDBFile):
    forcefield = app.ForceField("amber99sbildn.xml", "amber99_obc.xml")
    system = forcefield.createSystem(pdb.topology, nonbondedMethod=app.NoCutoff, constraints=app.HBonds)
    definition = openmmtsf.internal_coordinates_from_topology(pdb.topology, system)
    transform = openmmtsf.InternalCoordinateTransform(definition, openmm.Platform.getPlatformByName("Reference"))
    x = pdb.getPositions(asNumpy=True).value_in_unit(unit.nanometer)
    rng = np.random.default_rng(0)
    ics, _ = transform.forward(x + rng.normal(scale=0.003, size=(256, *x.shape)))
    normalization = ICNormalization.from_data(torch.from_numpy(ics), definition.getNumBonds() + definition.getNumAngles())
    flow = torch.jit.script(TemperatureSteerableFlow(normalization, 600.0))
    system.addForce(openmmtsf.TSFForce(flow, definition))
    return system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--platforms", nargs="+", default=["Reference", "CPU"])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    pdb = app.PDBFile(str(PDB))
    system = build(pdb)
    print(f"One TSF step of alanine dipeptide, median of {args.repeats} x {args.steps} steps; "
          f"torch threads: {torch.get_num_threads()}")
    print(f"{'platform':<10}{'replicas':>9}{'ms/step':>10}" + "".join(f"{name:>15}" for name, _ in PARTS) + f"{'rest':>10}")
    for platform in args.platforms:
        for replicas in args.replicas:
            temperatures = [300.0] if replicas == 1 else openmmtsf.TSFIntegrator.geometricTemperatures(300.0, 600.0, replicas)
            integrator = openmmtsf.TSFIntegrator(temperatures)
            integrator.setLatentStepSize(0.05)
            context = openmm.Context(system, integrator, openmm.Platform.getPlatformByName(platform))
            context.setPositions(pdb.positions)
            integrator.step(10)
            totals, shares = [], []
            for _ in range(args.repeats):
                integrator.resetStatistics()
                integrator.step(args.steps)
                total = integrator.getSecondsSpent(openmmtsf.TSFIntegrator.TotalPart)
                totals.append(total / args.steps)
                shares.append([integrator.getSecondsSpent(part) / total for _, part in PARTS])
            share = np.median(np.array(shares), axis=0)
            print(f"{platform:<10}{replicas:>9}{1000 * statistics.median(totals):>10.2f}"
                  + "".join(f"{100 * s:>14.1f}%" for s in share) + f"{100 * (1 - share.sum()):>9.1f}%")
            del context


if __name__ == "__main__":
    main()
