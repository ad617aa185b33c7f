#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Replica-exchange tempering of alanine dipeptide (300-600 K) with the shipped flow, from an OpenMM script.

The default flow is the temperature-conditioned spline flow (examples/models/ala2-spline-300-600K.pt); the paper's
TSF baseline is examples/models/ala2-tsf-600K.pt (use it with --prior-probability 0.2)."""
import argparse
from pathlib import Path

import openmm
from openmm import app, unit

import openmmtsf
from openmmtsf.reporters import ProgressReporter
from openmmtsf.tempering import report_run

HERE = Path(__file__).resolve().parent
parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--steps", type=int, default=20000)
parser.add_argument("--output", type=Path, default=Path("ala2-tempering"))
parser.add_argument("--platform", default="Reference")
parser.add_argument("--model", type=Path, default=HERE / "models" / "ala2-spline-300-600K.pt")
parser.add_argument("--prior-probability", type=float, default=0.8, help="share of prior (Boltzmann-generator) moves")
args = parser.parse_args()
args.output.mkdir(parents=True, exist_ok=True)

pdb = app.PDBFile(str(HERE / "data" / "alanine-dipeptide.pdb"))
forcefield = app.ForceField("amber99sbildn.xml", "amber99_obc.xml")
system = forcefield.createSystem(pdb.topology, nonbondedMethod=app.NoCutoff, constraints=app.HBonds)
zmatrix = openmmtsf.internal_coordinates_from_topology(pdb.topology, system)
system.addForce(openmmtsf.TSFForce(str(args.model), zmatrix))

integrator = openmmtsf.TSFIntegrator(openmmtsf.TSFIntegrator.geometricTemperatures(300 * unit.kelvin, 600 * unit.kelvin, 6))
integrator.setPriorMoveProbability(args.prior_probability)  # Metropolised Boltzmann-generator moves
integrator.setAdaptationSteps(1000)        # tune sigma, then freeze it
integrator.setRandomNumberSeed(2024)
simulation = app.Simulation(pdb.topology, system, integrator, openmm.Platform.getPlatformByName(args.platform))
simulation.context.setPositions(pdb.positions)
simulation.step(1000)                      # adaptation: not part of the samples
integrator.resetStatistics()

simulation.reporters.append(app.StateDataReporter(str(args.output / "log.csv"), 100, step=True, potentialEnergy=True, temperature=True))
simulation.reporters.append(app.DCDReporter(str(args.output / "ala2-300K.dcd"), 10))
progress = ProgressReporter(args.steps, 100, "TSF tempering")
simulation.reporters.append(progress)
simulation.step(args.steps)
progress.close()

(args.output / "system.xml").write_text(openmm.XmlSerializer.serialize(system))
report_run(integrator, pdb.topology, args.output / "ala2-300K.dcd", args.output, HERE / "data" / "ala2-remd-300K-summary.npz")
