#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Replica exchange of alanine dipeptide with OpenMM's own ReplicaExchangeSampler, the replicas moved by the
shipped flow:

    .venv/bin/python examples/openmm_replica_exchange.py --output ala2-openmm-remd --iterations 50

In each iteration every replica takes flow Monte Carlo steps (prior moves from the flow, accepted exactly) and
Langevin MD steps at its temperature; then replicas exchange temperatures. ReplicaExchangeReporter writes
log.csv, energy.csv (reduced energies, for MBAR), one trajectory per temperature and checkpoints into --output.
Rerun the command to resume a stopped run; a larger --iterations extends a finished one.
"""
import argparse
import os
from pathlib import Path

import mdtraj
import numpy as np
import openmm
import torch
from openmm import app, unit

import openmmtsf
from openmmtsf.openmm_sampler import TSFReplicaExchangeSampler

ROOT = Path(__file__).resolve().parents[1]

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--output", default="ala2-openmm-remd", help="output directory")
parser.add_argument("--iterations", type=int, default=50, help="replica-exchange iterations in all")
parser.add_argument("--temperatures", type=int, default=4, help="temperatures, geometric over 300-600 K")
parser.add_argument("--flow-steps", type=int, default=10, help="flow Monte Carlo steps per replica per iteration")
parser.add_argument("--md-steps", type=int, default=50, help="2 fs Langevin steps per replica per iteration")
parser.add_argument("--model", default=str(ROOT / "models" / "ala2-spline-chisq-300-600K.pt"))
parser.add_argument("--platform", default="CPU")
args = parser.parse_args()
torch.set_num_threads(1)  # one configuration per flow call: one thread is fastest

# The System, with a TSFForce holding the flow and its internal coordinates.
pdb = app.PDBFile(str(ROOT / "examples" / "data" / "alanine-dipeptide.pdb"))
forcefield = app.ForceField("amber99sbildn.xml", "amber99_obc.xml")
system = forcefield.createSystem(pdb.topology, nonbondedMethod=app.NoCutoff, constraints=app.HBonds)
system.addForce(openmmtsf.TSFForce(args.model, openmmtsf.internal_coordinates_from_topology(pdb.topology, system)))

# Flow moves and MD in one Context; the sampler sets both integrators to each replica's temperature.
flow = openmmtsf.TSFIntegrator(300)
flow.setPriorMoveProbability(0.8)
md = openmm.LangevinMiddleIntegrator(300 * unit.kelvin, 1 / unit.picosecond, 2 * unit.femtosecond)
integrator = openmm.CompoundIntegrator()
integrator.addIntegrator(flow)
integrator.addIntegrator(md)
simulation = app.Simulation(pdb.topology, system, integrator, openmm.Platform.getPlatformByName(args.platform))
simulation.context.setPositions(pdb.positions)

temperatures = np.geomspace(300.0, 600.0, args.temperatures)
states = [{"temperature": t * unit.kelvin} for t in temperatures]
sampler = TSFReplicaExchangeSampler(states, simulation, args.flow_steps, args.md_steps)
resume = os.path.isfile(os.path.join(args.output, "checkpoint_0.xml"))
sampler.reporters.append(app.ReplicaExchangeReporter(args.output, 1, sampler, trajectoryPerState=True, energy=True,
                                                     checkpoints=True, resume=resume))
if resume:
    print(f"resuming {args.output} after iteration {sampler.currentIteration}")
sampler.simulate(max(0, args.iterations - sampler.currentIteration))

# Prior-move acceptance in this process, and the share of phi > 0 over the whole run, per temperature.
phi_atoms = [[a.index for a in pdb.topology.atoms() if (a.residue.index, a.name) == key][0]
             for key in ((0, "C"), (1, "N"), (1, "CA"), (1, "C"))]
print("    T (K)  prior moves accepted  phi > 0  frames")
for s, t in enumerate(temperatures):
    attempted, accepted = sampler.flowMovesAttempted[s], sampler.flowMovesAccepted[s]
    prior = f"{accepted[flow.PriorMove] / attempted[flow.PriorMove]:.2f}" if attempted[flow.PriorMove] else "-"
    trajectory = mdtraj.load(os.path.join(args.output, f"state_{s}.xtc"), top=mdtraj.Topology.from_openmm(pdb.topology))
    phi = mdtraj.compute_dihedrals(trajectory, [phi_atoms])[:, 0]
    print(f"{t:9.1f}  {prior:>20}  {np.mean(phi > 0):7.3f}  {trajectory.n_frames:6d}")
