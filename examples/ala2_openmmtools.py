#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Replica exchange of alanine dipeptide with openmmtools' ReplicaExchangeSampler and TSFMove, on one process or
with the replicas spread over MPI ranks:

    .venv/bin/python examples/ala2_openmmtools.py --output ala2-openmmtools
    mpirun -np 2 .venv/bin/python examples/ala2_openmmtools.py --output ala2-openmmtools

Each iteration applies TSFMove (the shipped temperature-conditioned flow; prior and random-walk moves) to every
replica, optionally followed by Langevin dynamics, then swaps replicas between temperatures. Rank 0 writes
openmmtools' NetCDF file (``output/replicas.nc``); rerunning the same command resumes a stopped run, and a larger
--iterations extends a finished one (a resumed run keeps its stored moves and temperatures). At the end rank 0
writes ``output/ladder.npz`` (each temperature's energies and backbone torsions phi1 and psi1), so that
``python -m openmmtsf analyze output`` gives F(phi1 > 0) - F(phi1 < 0) against temperature, and prints the
acceptance of each temperature's TSF moves.
"""
import argparse
import logging
from pathlib import Path

import numpy as np
from openmm import unit
from openmmtools import mcmc

from openmmtsf import TSFForce, TSFIntegrator, internal_coordinates_from_topology
from openmmtsf.collective_variables import backbone_torsions
from openmmtsf.molecule import load_molecule
from openmmtsf.moves import TSFMove
from openmmtsf.multistate import create_sampler, ladder_from_storage, mpi_rank, resume_sampler
from openmmtsf.run_files import save_arrays

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PDB = HERE / "data" / "alanine-dipeptide.pdb"


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=Path("ala2-openmmtools"))
    parser.add_argument("--iterations", type=int, default=500, help="replica-exchange iterations in all")
    parser.add_argument("--replicas", type=int, default=8, help="temperatures, geometric over 300-600 K")
    parser.add_argument("--tsf-steps", type=int, default=10, help="TSF steps per replica per iteration")
    parser.add_argument("--prior-move-probability", type=float, default=0.8, help="share of prior (independence) moves")
    parser.add_argument("--langevin-steps", type=int, default=0,
                        help="2 fs LangevinMiddle steps after the TSF steps, per iteration (0: none)")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "ala2-spline-chisq-300-600K.pt")
    parser.add_argument("--platform", default="Reference")
    parser.add_argument("--seed", type=int, default=2024, help="TSF random seed (rank r uses seed + r); 0: random")
    return parser.parse_args()


def new_sampler(args: argparse.Namespace, storage: Path):
    molecule = load_molecule(PDB)
    system = molecule.system
    system.addForce(TSFForce(str(args.model), internal_coordinates_from_topology(molecule.topology, system)))
    move = TSFMove(n_steps=args.tsf_steps, prior_move_probability=args.prior_move_probability, random_seed=args.seed)
    if args.langevin_steps > 0:
        move = mcmc.SequenceMove([move, mcmc.LangevinDynamicsMove(
            timestep=2 * unit.femtosecond, collision_rate=1 / unit.picosecond, n_steps=args.langevin_steps)])
    temperatures = TSFIntegrator.geometricTemperatures(300.0, 600.0, args.replicas)
    return create_sampler(system, molecule.positions * unit.nanometer, temperatures, move, args.iterations, storage,
                          args.platform)


def tsf_moves(move) -> TSFMove:
    return move if isinstance(move, TSFMove) else next(m for m in move.move_list if isinstance(m, TSFMove))


def main() -> None:
    args = parse_arguments()
    logging.getLogger("openmmtools").setLevel(logging.WARNING)
    storage = args.output / "replicas.nc"
    if storage.is_file():
        sampler = resume_sampler(storage, args.platform)  # with the stored moves and ladder
        if args.iterations > sampler.number_of_iterations:
            sampler.extend(args.iterations - sampler.iteration)
        else:
            sampler.run()
    else:
        if mpi_rank() == 0:
            args.output.mkdir(parents=True, exist_ok=True)
        sampler = new_sampler(args, storage)
        sampler.run()
    if mpi_rank() != 0:
        return
    ladder = ladder_from_storage(storage, backbone_torsions(load_molecule(PDB).topology))
    save_arrays(args.output / "ladder.npz", ladder)
    print(f"{sampler.iteration} iterations in {storage}; TSF move acceptance per temperature:")
    for temperature, move in zip(ladder["temperatures"], sampler.mcmc_moves):
        stats = tsf_moves(move).statistics
        rates = [stats[f"n_accepted_{kind}"] / max(1, stats[f"n_proposed_{kind}"]) for kind in ("prior", "random_walk")]
        print(f"  {temperature:6.1f} K: prior {rates[0]:.3f}, random walk {rates[1]:.3f}")
    print(f"F(phi1 > 0) - F(phi1 < 0) against temperature: python -m openmmtsf analyze {args.output}")


if __name__ == "__main__":
    main()
