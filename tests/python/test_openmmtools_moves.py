# SPDX-License-Identifier: MIT
"""TSFMove in openmmtools: replica exchange over two MPI ranks reproduces the bonded chain's exact marginals,
a killed run resumes from its NetCDF file, and the move composes, serializes and refuses bad settings."""
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import openmm
import pytest
from openmm import unit

pytest.importorskip("openmmtools", reason="openmmtools is optional (pip install .[openmmtools])")
from openmmtools import cache, mcmc, multistate, states, utils  # noqa: E402

from chain import chain_flow_bytes, chain_observables, chain_positions, chain_system, exact_expectations  # noqa: E402
from openmmtsf.analysis import mean_with_error  # noqa: E402
from openmmtsf.moves import TSFMove  # noqa: E402
from openmmtsf.collective_variables import parse_cv  # noqa: E402
from openmmtsf.multistate import ladder_from_storage  # noqa: E402

DRIVER = Path(__file__).resolve().parent / "exchange_chain.py"
TEMPERATURES_K = (300.0, 380.0, 475.0, 600.0)  # exchange_chain.py's ladder
STEPS_PER_ITERATION = 5


def run_driver(storage: Path, *args: str, ranks: int = 0) -> subprocess.CompletedProcess:
    """exchange_chain.py, alone or under mpirun with `ranks` processes (as root too: CI runs as root)."""
    command = [sys.executable, str(DRIVER), str(storage), *args]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    if ranks:
        mpirun = shutil.which("mpirun")
        assert mpirun is not None, "mpirun is missing: scripts/setup.sh installs OpenMPI (openmpi-bin)"
        command = [mpirun, "-np", str(ranks), "--oversubscribe"] + command
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)


def stored_positions_by_state(storage: Path) -> tuple:
    """([state][iteration] positions in nm, last iteration) from a MultiStateReporter file."""
    reporter = multistate.MultiStateReporter(str(storage), open_mode="r")
    try:
        last = reporter.read_last_iteration()
        state_of_replica = reporter.read_replica_thermodynamic_states()
        by_state = [[] for _ in TEMPERATURES_K]
        for iteration in range(1, last + 1):
            for replica, sampler_state in enumerate(reporter.read_sampler_states(iteration)):
                by_state[state_of_replica[iteration, replica]].append(sampler_state.positions.value_in_unit(unit.nanometer))
        return [np.array(p) for p in by_state], last
    finally:
        reporter.close()


@pytest.mark.mpi
@pytest.mark.slow
def test_replica_exchange_over_two_mpi_ranks_is_exact(tmp_path):
    pytest.importorskip("mpi4py", reason="mpi4py is optional (pip install .[mpi])")
    iterations = 1500
    storage = tmp_path / "chain.nc"
    result = run_driver(storage, "--iterations", str(iterations), "--counts", str(tmp_path / "counts"), ranks=2)
    assert result.returncode == 0, result.stderr[-3000:]
    applications = [json.loads((tmp_path / f"counts.{rank}").read_text())["applications"] for rank in (0, 1)]
    # openmmtools spreads the four replicas over both ranks: each rank propagated two per iteration.
    assert applications == [2 * iterations, 2 * iterations]
    positions, last = stored_positions_by_state(storage)
    assert last == iterations
    for temperature, samples in zip(TEMPERATURES_K, positions):
        assert len(samples) == iterations
        exact = exact_expectations(temperature)
        for name, series in chain_observables(samples).items():
            mean, error = mean_with_error(series)
            # The tolerance of the C++ exactness tests (tests/cpp/TestSampling.cpp): 4.5 standard errors.
            assert abs(mean - exact[name]) < 4.5 * error, f"{temperature} K {name}: {mean} +- {error}, exact {exact[name]}"
    reporter = multistate.MultiStateReporter(str(storage), open_mode="r")
    try:
        moves = reporter.read_mcmc_moves()
    finally:
        reporter.close()
    proposed = sum(m.statistics["n_proposed_random_walk"] + m.statistics["n_proposed_prior"] for m in moves)
    assert proposed == iterations * len(TEMPERATURES_K) * STEPS_PER_ITERATION
    for move in moves:
        assert 0 < move.statistics["n_accepted_prior"] < move.statistics["n_proposed_prior"]


def test_a_killed_run_resumes_from_its_netcdf_file(tmp_path):
    storage = tmp_path / "chain.nc"
    killed = run_driver(storage, "--iterations", "30", "--kill-after", "12")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    before, last = stored_positions_by_state(storage)
    assert last == 12
    resumed = run_driver(storage, "--iterations", "30", "--resume")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    after, last = stored_positions_by_state(storage)
    assert last == 30
    for kept, continued in zip(before, after):
        np.testing.assert_array_equal(continued[:12], kept)  # the first 12 iterations are untouched
        assert len(continued) == 30
        assert not all(np.array_equal(continued[i], continued[11]) for i in range(12, 30))  # and it moved on
    reporter = multistate.MultiStateReporter(str(storage), open_mode="r")
    try:
        move = reporter.read_mcmc_moves()[0]
    finally:
        reporter.close()
    assert isinstance(move, TSFMove) and move.prior_move_probability == 0.5 and move.latent_step_size == 0.5


def test_the_ladder_series_of_a_storage_file_are_its_samples_in_state_order(tmp_path):
    storage = tmp_path / "chain.nc"
    assert run_driver(storage, "--iterations", "20").returncode == 0
    ladder = ladder_from_storage(storage, [parse_cv("phi=dihedral:0,1,2,3")])
    positions, _ = stored_positions_by_state(storage)
    np.testing.assert_array_equal(ladder["temperatures"], TEMPERATURES_K)
    assert ladder["ladder_energies"].shape == (20, len(TEMPERATURES_K))
    assert ladder["ladder_cvs"].shape == (20, len(TEMPERATURES_K), 1)
    assert ladder["cv_definitions"].tolist() == ["phi=dihedral:0,1,2,3"]
    context = openmm.Context(chain_system(chain_flow_bytes()), openmm.VerletIntegrator(0.001),
                             openmm.Platform.getPlatformByName("Reference"))
    for s, samples in enumerate(positions):
        for frame, configuration in enumerate(samples):
            context.setPositions(configuration)
            energy = context.getState(getEnergy=True).getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
            # openmmtools stores positions in single precision: the recomputed energy differs by ~1e-7.
            assert ladder["ladder_energies"][frame, s] == pytest.approx(energy, rel=1e-5, abs=1e-5)
        ics = chain_observables(samples)
        np.testing.assert_allclose(np.cos(ladder["ladder_cvs"][:, s, 0]), ics["<cos phi>"], atol=1e-6)
    with pytest.raises(FileNotFoundError, match="No openmmtools storage"):
        ladder_from_storage(tmp_path / "missing.nc", [parse_cv("phi=dihedral:0,1,2,3")])


def chain_state(temperature_k: float) -> states.ThermodynamicState:
    return states.ThermodynamicState(chain_system(chain_flow_bytes()), temperature_k * unit.kelvin)


def test_tsf_move_composes_with_langevin_dynamics_and_counts_its_moves():
    context_cache = cache.ContextCache(platform=openmm.Platform.getPlatformByName("Reference"))
    sampler_state = states.SamplerState(chain_positions() * unit.nanometer)
    tsf = TSFMove(n_steps=20, prior_move_probability=1.0, random_seed=3)
    sequence = mcmc.SequenceMove([tsf, mcmc.LangevinDynamicsMove(n_steps=10, timestep=1 * unit.femtosecond)])
    for temperature in (300.0, 600.0, 300.0):
        sequence.apply(chain_state(temperature), sampler_state, context_cache=context_cache)
    assert tsf.statistics["n_proposed_prior"] == 60 and tsf.statistics["n_proposed_random_walk"] == 0
    assert 0 < tsf.statistics["n_accepted_prior"] < 60
    assert np.isfinite(sampler_state.potential_energy.value_in_unit(unit.kilojoule_per_mole))
    # One Context per move type serves every temperature (openmmtools resets the integrator's temperature).
    assert len(context_cache) == 2


def test_tsf_move_serializes_with_its_settings_and_statistics():
    move = TSFMove(n_steps=7, prior_move_probability=0.25, latent_step_size=0.3, proposals_per_flow_call=8,
                   random_seed=9)
    move.statistics["n_accepted_prior"] = 4
    copy = utils.deserialize(utils.serialize(move))
    assert isinstance(copy, TSFMove)
    assert (copy.n_steps, copy.prior_move_probability, copy.latent_step_size, copy.proposals_per_flow_call,
            copy.random_seed) == (7, 0.25, 0.3, 8, 9)
    assert copy.statistics == move.statistics
    # A move stored by openmmtsf 0.2.0 named the setting prior_probability.
    stored = utils.serialize(move)
    stored["prior_probability"] = stored.pop("prior_move_probability")
    assert utils.deserialize(stored).prior_move_probability == 0.25


@pytest.mark.parametrize("settings, message", [
    ({"prior_move_probability": 1.5}, "prior_move_probability must be in"),
    ({"latent_step_size": 0.0}, "latent_step_size must be positive"),
    ({"proposals_per_flow_call": 0}, "proposals_per_flow_call must be at least 1"),
])
def test_bad_settings_are_refused(settings, message):
    with pytest.raises(ValueError, match=message):
        TSFMove(**settings)


def test_a_system_without_a_tsf_force_is_refused_clearly():
    system = chain_system(chain_flow_bytes())
    system.removeForce(system.getNumForces() - 1)
    state = states.ThermodynamicState(system, 300 * unit.kelvin)
    context_cache = cache.ContextCache(platform=openmm.Platform.getPlatformByName("Reference"))
    with pytest.raises(openmm.OpenMMException, match="TSFForce"):
        TSFMove().apply(state, states.SamplerState(chain_positions() * unit.nanometer), context_cache=context_cache)
