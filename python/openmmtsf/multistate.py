# SPDX-License-Identifier: MIT
"""openmmtools replica-exchange runs over a temperature ladder: create one, resume one from its NetCDF file, and
read back the ladder series that openmmtsf.free_energy reads.

A ReplicaExchangeSampler run (e.g. with openmmtsf.moves.TSFMove) stores, at every iteration, each replica's
thermodynamic state and reduced potentials, and its positions at every checkpoint iteration. Its replicas are
spread over MPI ranks when it runs under mpirun (openmmtools uses mpiplus); rank 0 writes the file.
"""
from pathlib import Path
from typing import Dict, Sequence, Union

import numpy as np
import openmm
from openmm import unit

from .collective_variables import CollectiveVariable, evaluate
from .units import BOLTZMANN_KJ_PER_MOL_K


def mpi_rank() -> int:
    """This process's rank in MPI_COMM_WORLD, or 0 without MPI (as openmmtools' mpiplus sees it)."""
    import mpiplus

    communicator = mpiplus.get_mpicomm()
    return 0 if communicator is None else communicator.rank


def create_sampler(system: openmm.System, positions, temperatures_k: Sequence[float], move, iterations: int,
                   storage: Union[str, Path], platform: str = "Reference"):
    """A ReplicaExchangeSampler of ``system`` at each temperature (K), starting every replica from ``positions``,
    that applies ``move`` (an openmmtools MCMCMove) to each replica per iteration and stores every iteration's
    positions in ``storage`` (NetCDF). Online analysis is off (openmmtsf.free_energy analyses the ladder)."""
    from openmmtools import multistate, states

    thermodynamic_states = [states.ThermodynamicState(system, t * unit.kelvin) for t in temperatures_k]
    sampler = multistate.ReplicaExchangeSampler(mcmc_moves=move, number_of_iterations=iterations,
                                                online_analysis_interval=None)
    _use_platform(sampler, platform)
    sampler.create(thermodynamic_states, states.SamplerState(positions),
                   multistate.MultiStateReporter(str(storage), checkpoint_interval=1))
    return sampler


def resume_sampler(storage: Union[str, Path], platform: str = "Reference"):
    """The ReplicaExchangeSampler stored in ``storage``, at its last stored iteration, with its moves and states."""
    from openmmtools import multistate

    sampler = multistate.ReplicaExchangeSampler.from_storage(multistate.MultiStateReporter(str(storage)))
    _use_platform(sampler, platform)
    return sampler


def _use_platform(sampler, name: str) -> None:
    from openmmtools import cache

    platform = openmm.Platform.getPlatformByName(name)
    sampler.energy_context_cache = cache.ContextCache(platform=platform)
    sampler.sampler_context_cache = cache.ContextCache(platform=platform)


def ladder_from_storage(path: Union[str, Path], variables: Sequence[CollectiveVariable]) -> Dict[str, np.ndarray]:
    """The ladder series of a stored run, with the keys of a `sample` run's ladder.npz: {temperatures [S] (K),
    cv_definitions [C], ladder_energies (kJ/mol) [F, S], ladder_cvs (the ``variables``' values, radians or nm)
    [F, S, C]}; column s holds the samples of thermodynamic state s, one per checkpoint iteration after the first
    configuration.

    Raises:
        FileNotFoundError: if there is no file at ``path``.
        ValueError: if the file holds no iteration yet, or states of another kind than temperatures of one System.
    """
    from openmmtools import multistate

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No openmmtools storage at {path}")
    reporter = multistate.MultiStateReporter(str(path), open_mode="r")
    try:
        states, _ = reporter.read_thermodynamic_states()
        temperatures = np.array([s.temperature.value_in_unit(unit.kelvin) for s in states])
        if len({s.pressure for s in states}) > 1 or len(set(temperatures)) != len(states):
            raise ValueError(f"{path}: the ladder must be one System at distinct temperatures")
        reduced, _, _ = reporter.read_energies()  # [iterations + 1, replicas, states], in kT of each state
        state_of_replica = reporter.read_replica_thermodynamic_states()  # [iterations + 1, replicas]
        last = reporter.read_last_iteration()
        interval = reporter.checkpoint_interval
        iterations = range(interval, last + 1, interval)
        if len(iterations) == 0:
            raise ValueError(f"{path} holds no stored configuration after the first one yet")
        energies, values = [], []
        for iteration in iterations:
            order = np.argsort(state_of_replica[iteration])  # order[s]: the replica in state s
            positions = np.array([s.positions.value_in_unit(unit.nanometer)
                                  for s in reporter.read_sampler_states(iteration)])[order]
            energies.append(reduced[iteration, order, np.arange(len(order))] * BOLTZMANN_KJ_PER_MOL_K * temperatures)
            values.append(evaluate(variables, positions))
    finally:
        reporter.close()
    return {"temperatures": temperatures, "ladder_energies": np.array(energies),
            "ladder_cvs": np.array(values).reshape(len(energies), len(temperatures), len(variables)),
            "cv_definitions": np.array([variable.definition for variable in variables], dtype=str)}
