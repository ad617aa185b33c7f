#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""openmmtools replica exchange with TSFMove on 1 MPI rank against 2, side by side in one run: wall seconds per
iteration, and the speed-up of 2 ranks over 1 (ratio of medians over the repeats).

Workload: alanine dipeptide (the shipped flow), 8 replicas over 300-600 K, per iteration TSFMove with --tsf-steps
steps (80% prior moves) and, with --langevin-steps, that many 2 fs LangevinMiddle steps per replica; NetCDF
storage every iteration, as examples/ala2_openmmtools.py. Each run is timed on rank 0 after two warm-up
iterations (Contexts are made then). Repeats alternate 1 and 2 ranks. bench/README.md gives the
communication per exchange against the energy cost per step, on paper.
Run: .venv/bin/python bench/mpi_ranks.py [--iterations 20 --repeats 5 --tsf-steps 10 --langevin-steps 0]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WARM_UP_ITERATIONS = 2


def worker(args: argparse.Namespace) -> None:
    """One timed run (under mpirun): rank 0 writes {"seconds_per_iteration": ...} to args.json."""
    from openmm import unit
    from openmmtools import mcmc

    from openmmtsf import TSFForce, TSFIntegrator, internal_coordinates_from_topology
    from openmmtsf.moves import TSFMove
    from openmmtsf.multistate import create_sampler, mpi_rank
    from openmmtsf.molecule import load_molecule

    molecule = load_molecule(ROOT / "examples" / "data" / "alanine-dipeptide.pdb")
    system = molecule.system
    model = ROOT / "models" / "ala2-spline-chisq-300-600K.pt"
    system.addForce(TSFForce(str(model), internal_coordinates_from_topology(molecule.topology, system)))
    move = TSFMove(n_steps=args.tsf_steps, prior_move_probability=0.8, random_seed=7)
    if args.langevin_steps > 0:
        move = mcmc.SequenceMove([move, mcmc.LangevinDynamicsMove(timestep=2 * unit.femtosecond,
                                                                  n_steps=args.langevin_steps)])
    temperatures = TSFIntegrator.geometricTemperatures(300.0, 600.0, 8)
    sampler = create_sampler(system, molecule.positions * unit.nanometer, temperatures, move,
                             WARM_UP_ITERATIONS + args.iterations, Path(args.storage) / "replicas.nc")
    sampler.run(WARM_UP_ITERATIONS)
    start = time.perf_counter()
    sampler.run(args.iterations)
    seconds = (time.perf_counter() - start) / args.iterations
    if mpi_rank() == 0:
        Path(args.json).write_text(json.dumps({"seconds_per_iteration": seconds}))


def timed_run(ranks: int, args: argparse.Namespace) -> float:
    """Seconds per iteration of one run on `ranks` MPI processes."""
    with tempfile.TemporaryDirectory() as folder:
        result = Path(folder) / "result.json"
        command = ["mpirun", "-np", str(ranks), "--oversubscribe", sys.executable, __file__, "--worker",
                   "--storage", folder, "--json", str(result), "--iterations", str(args.iterations),
                   "--tsf-steps", str(args.tsf_steps), "--langevin-steps", str(args.langevin_steps)]
        env = dict(os.environ, OMP_NUM_THREADS="1", OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        completed = subprocess.run(command, env=env, capture_output=True, text=True)
        if completed.returncode != 0:
            raise SystemExit(f"{ranks}-rank run failed:\n{completed.stderr[-3000:]}")
        return json.loads(result.read_text())["seconds_per_iteration"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=20, help="timed iterations per run")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--tsf-steps", type=int, default=10)
    parser.add_argument("--langevin-steps", type=int, default=0)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--storage", help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    if shutil.which("mpirun") is None:
        raise SystemExit("mpirun is missing: scripts/setup.sh installs OpenMPI")
    seconds = {1: [], 2: []}
    for repeat in range(args.repeats):
        for ranks in (1, 2):
            seconds[ranks].append(timed_run(ranks, args))
            print(f"repeat {repeat + 1}/{args.repeats}, {ranks} rank(s): {seconds[ranks][-1]:.3f} s/iteration", flush=True)
    median = {ranks: statistics.median(values) for ranks, values in seconds.items()}
    print(f"\n8 replicas, {args.tsf_steps} TSF steps + {args.langevin_steps} Langevin steps per replica per iteration, "
          f"{args.iterations} timed iterations, {args.repeats} repeats (os.cpu_count() = {os.cpu_count()})")
    print("ranks  s/iteration (median)  range")
    for ranks in (1, 2):
        print(f"{ranks:>5}  {median[ranks]:>20.3f}  {min(seconds[ranks]):.3f}-{max(seconds[ranks]):.3f}")
    print(f"speed-up of 2 ranks over 1 (ratio of medians): {median[1] / median[2]:.2f}x")


if __name__ == "__main__":
    main()
