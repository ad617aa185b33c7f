# SPDX-License-Identifier: MIT
"""openmmtools' ReplicaExchangeSampler with TSFMove on the bonded chain: four replicas over 300-600 K, stored in
NetCDF. test_openmmtools_moves.py runs it alone or under `mpirun -np 2`.

    exchange_chain.py STORAGE --iterations N [--kill-after K] [--resume] [--counts FILE]

--kill-after K sends this process SIGKILL after iteration K (a run killed mid-way); --resume continues the run
stored in STORAGE up to N iterations; --counts writes, per MPI rank, how many times this rank applied TSFMove.
"""
import argparse
import json
import os
import signal
import sys
from pathlib import Path

import numpy as np
from openmm import unit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chain import chain_flow_bytes, chain_positions, chain_system  # noqa: E402

import openmmtsf  # noqa: E402,F401  (registers the kernels)
from openmmtsf.moves import TSFMove  # noqa: E402
from openmmtsf.multistate import create_sampler, mpi_rank, resume_sampler  # noqa: E402

TEMPERATURES_K = (300.0, 380.0, 475.0, 600.0)
STEPS_PER_ITERATION = 5
applications_on_this_rank = 0


def _count_applications(apply):
    def counted(self, *args, **kwargs):
        global applications_on_this_rank
        applications_on_this_rank += 1
        return apply(self, *args, **kwargs)
    return counted


TSFMove.apply = _count_applications(TSFMove.apply)


def new_sampler(storage: str, iterations: int):
    move = TSFMove(n_steps=STEPS_PER_ITERATION, prior_move_probability=0.5, latent_step_size=0.5, random_seed=11)
    return create_sampler(chain_system(chain_flow_bytes()), chain_positions() * unit.nanometer, TEMPERATURES_K, move,
                          iterations, storage)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("storage")
    parser.add_argument("--iterations", type=int, required=True)
    parser.add_argument("--kill-after", type=int)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--counts")
    args = parser.parse_args()
    np.random.seed(5 + mpi_rank())  # openmmtools mixes replicas with NumPy's global generator
    if args.resume:
        sampler = resume_sampler(args.storage)
    else:
        sampler = new_sampler(args.storage, args.iterations)
    while not sampler.is_completed:
        sampler.run(1)
        if sampler.iteration == args.kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
    if args.counts:
        Path(f"{args.counts}.{mpi_rank()}").write_text(json.dumps({"applications": applications_on_this_rank}))


if __name__ == "__main__":
    main()
