# SPDX-License-Identifier: MIT
"""TSFReplicaExchangeSampler: flow moves (alone, and with Langevin MD) inside openmm.app.ReplicaExchangeSampler
reproduce the bonded chain's exact torsion-basin populations and bond and angle fluctuations at every temperature
of the ladder; a run stopped after some iterations resumes from ReplicaExchangeReporter's files; user mistakes
get clear errors."""
import math
import random

import mdtraj
import numpy as np
import openmm
import pytest
from openmm import app, unit
from scipy import integrate

import openmmtsf
from chain import (chain_flow_bytes, chain_observables, chain_positions, chain_system, exact_expectations,
                   torsion_energy)
from openmmtsf.openmm_sampler import TSFReplicaExchangeSampler
from openmmtsf.units import BOLTZMANN_KJ_PER_MOL_K

TEMPERATURES_K = (300.0, 380.0, 475.0, 600.0)
# Torsion basins of V(phi) = 4 (1 + cos 3 phi) + 2 (1 + cos(phi - 0.7)) kJ/mol (chain.py): the sectors between
# the maxima of its threefold term.
BASIN_EDGES = (-math.pi, -2 * math.pi / 3, 0.0, 2 * math.pi / 3, math.pi)
# The tolerance of the C++ exactness tests (tests/cpp/TestSampling.cpp) and test_openmmtools_moves.py.
STANDARD_ERRORS = 4.5
BATCHES = 20


def chain_topology() -> app.Topology:
    topology = app.Topology()
    residue = topology.addResidue("CHN", topology.addChain())
    atoms = [topology.addAtom(f"C{i}", app.element.carbon, residue) for i in range(4)]
    for a, b in zip(atoms, atoms[1:]):
        topology.addBond(a, b)
    return topology


def chain_simulation(md: bool, seed: int, temperatures_k=(300.0,)) -> app.Simulation:
    """The chain in a Simulation whose integrator is a TSFIntegrator (half prior, half random-walk moves) or, with
    `md`, a CompoundIntegrator of it and a LangevinMiddleIntegrator (1 fs; friction 50/ps, so that MD at a wrong
    temperature shows in the samples)."""
    tsf = openmmtsf.TSFIntegrator(list(temperatures_k))
    tsf.setPriorMoveProbability(0.5)
    tsf.setLatentStepSize(0.5)
    tsf.setRandomNumberSeed(seed)
    integrator = tsf
    if md:
        langevin = openmm.LangevinMiddleIntegrator(300 * unit.kelvin, 50 / unit.picosecond, 1 * unit.femtosecond)
        langevin.setRandomNumberSeed(seed + 1)
        integrator = openmm.CompoundIntegrator()
        integrator.addIntegrator(tsf)
        integrator.addIntegrator(langevin)
    simulation = app.Simulation(chain_topology(), chain_system(chain_flow_bytes()), integrator,
                                openmm.Platform.getPlatformByName("Reference"))
    simulation.context.setPositions(chain_positions())
    return simulation


def temperature_states() -> list:
    return [{"temperature": t * unit.kelvin} for t in TEMPERATURES_K]


def exact_basin_populations(temperature: float) -> np.ndarray:
    """The populations of the torsion basins: the chain's torsion marginal is exp(-V(phi)/kT) on its own (the
    internal-coordinate Jacobian b^2 sin(theta) does not involve phi)."""
    beta = 1.0 / (BOLTZMANN_KJ_PER_MOL_K * temperature)
    weights = [integrate.quad(lambda p: math.exp(-beta * torsion_energy(p)), a, b)[0]
               for a, b in zip(BASIN_EDGES, BASIN_EDGES[1:])]
    weights = [weights[0] + weights[3], weights[1], weights[2]]  # the basin around phi = pi spans the cut
    return np.array(weights) / sum(weights)


def observables(positions: np.ndarray) -> dict:
    """Per-sample observables of positions [B, 4, 3] nm: the basin indicators and the bond and angle
    fluctuations."""
    series = chain_observables(positions)
    phi = np.arctan2(series["<sin phi>"], series["<cos phi>"])
    sector = np.digitize(phi, BASIN_EDGES[1:-1])
    basin = np.where(sector == 3, 0, sector)
    result = {f"P(basin {b})": (basin == b).astype(float) for b in range(3)}
    result["<(b-b0)^2>"] = series["<(b-b0)^2>"]
    result["<(theta-theta0)^2>"] = series["<(theta-theta0)^2>"]
    return result


def exact_observables(temperature: float) -> dict:
    exact = exact_expectations(temperature)
    result = {f"P(basin {b})": p for b, p in enumerate(exact_basin_populations(temperature))}
    result["<(b-b0)^2>"] = exact["<(b-b0)^2>"]
    result["<(theta-theta0)^2>"] = exact["<(theta-theta0)^2>"]
    return result


def mean_and_error(series: np.ndarray) -> tuple:
    """The mean and its standard error from the means of BATCHES consecutive batches: iterations are correlated,
    and a batch (150 iterations here) spans far more of them than a state's statistical inefficiency (measured
    with pymbar: 1.0-2.1 iterations for every observable below)."""
    batches = np.array_split(np.asarray(series, dtype=float), BATCHES)
    means = np.array([b.mean() for b in batches])
    return float(np.mean(series)), float(means.std(ddof=1) / math.sqrt(BATCHES))


def samples_by_state(sampler: TSFReplicaExchangeSampler, iterations: int) -> list:
    """Run the sampler, recording every replica's configuration after it moved, under the state it moved in:
    [state] -> [iterations, 4, 3] nm. A plain function is a ReplicaExchangeSampler reporter; it is called
    after the replicas move and before the exchanges."""
    by_state = [[] for _ in sampler.states]

    def record(s: TSFReplicaExchangeSampler) -> None:
        for replica, conformation in enumerate(s.replicaConformation):
            positions = conformation.getPositions(asNumpy=True).value_in_unit(unit.nanometer)
            by_state[s.replicaStateIndex[replica]].append(positions)

    sampler.reporters.append(record)
    sampler.simulate(iterations)
    return [np.array(positions) for positions in by_state]


@pytest.mark.parametrize("md_steps", [0, 20], ids=["flow moves", "flow moves and Langevin MD"])
def test_replica_exchange_with_flow_moves_is_exact(md_steps):
    """3000 iterations of 5 flow moves (and 20 MD steps) per replica, 10-15 s each. Measured: every observable
    within 2.3 standard errors of its exact value, standard errors 1-6% of the values. Broken on purpose, the test
    fails: with flow moves left at 300 K (TSFIntegrator.setTemperature disabled) observables miss by up to 31
    standard errors, and with Langevin MD left at 300 K by up to 22."""
    iterations, steps = 3000, 5
    random.seed(17)  # ReplicaExchangeSampler picks its exchanges with Python's random module
    sampler = TSFReplicaExchangeSampler(temperature_states(), chain_simulation(md_steps > 0, seed=5), steps, md_steps)
    samples = samples_by_state(sampler, iterations)
    failures = []
    for s, (temperature, positions) in enumerate(zip(TEMPERATURES_K, samples)):
        assert len(positions) == iterations
        exact = exact_observables(temperature)
        for name, series in observables(positions).items():
            mean, error = mean_and_error(series)
            tolerance = STANDARD_ERRORS * error
            if not abs(mean - exact[name]) < tolerance:
                failures.append(f"{temperature} K {name}: {mean:.5g} +- {error:.2g}, exact {exact[name]:.5g}")
            if name == "<(b-b0)^2>":
                # The test has the power to fail: the bond fluctuation of a neighbouring temperature lies outside
                # the tolerance, so a replica moved at its neighbour's temperature would be caught.
                for neighbour in (s - 1, s + 1):
                    if 0 <= neighbour < len(TEMPERATURES_K):
                        assert abs(mean - exact_observables(TEMPERATURES_K[neighbour])[name]) > tolerance
    assert not failures, "\n".join(failures)
    # Every replica took `steps` flow moves per iteration, each counted under the state it was in.
    assert sampler.flowMovesAttempted.sum() == iterations * len(TEMPERATURES_K) * steps
    assert np.all((0 < sampler.flowMovesAccepted) & (sampler.flowMovesAccepted < sampler.flowMovesAttempted))
    assert sorted(sampler.replicaStateIndex) == list(range(len(TEMPERATURES_K)))


def read_log(directory) -> np.ndarray:
    return np.loadtxt(directory / "log.csv", delimiter=",", skiprows=1, dtype=int, ndmin=2)


def test_a_stopped_run_resumes_from_the_reporter_files(tmp_path):
    output = tmp_path / "output"
    first, more = 6, 4
    random.seed(3)
    sampler = TSFReplicaExchangeSampler(temperature_states(), chain_simulation(True, seed=7), 5, 10)
    reporter = app.ReplicaExchangeReporter(str(output), 1, sampler, trajectoryPerState=True, energy=True,
                                           checkpoints=True)
    sampler.reporters.append(reporter)
    sampler.simulate(first)
    stopped = [c.getPositions(asNumpy=True).value_in_unit(unit.nanometer) for c in sampler.replicaConformation]
    logged = read_log(output)
    del sampler, reporter  # the process ends here; nothing else is kept

    # A new process: the same script, with resume=True.
    sampler = TSFReplicaExchangeSampler(temperature_states(), chain_simulation(True, seed=8), 5, 10)
    sampler.reporters.append(app.ReplicaExchangeReporter(str(output), 1, sampler, trajectoryPerState=True,
                                                         energy=True, checkpoints=True, resume=True))
    assert sampler.currentIteration == first
    assert sampler.replicaStateIndex == logged[-1, 2:].tolist()  # the assignment of the last iteration written
    for kept, loaded in zip(stopped, sampler.replicaConformation):
        np.testing.assert_array_equal(loaded.getPositions(asNumpy=True).value_in_unit(unit.nanometer), kept)
    sampler.simulate(more)
    assert sampler.currentIteration == first + more

    log = read_log(output)
    np.testing.assert_array_equal(log[:, 0], np.arange(1, first + more + 1))
    np.testing.assert_array_equal(log[:first], logged)
    energies = np.loadtxt(output / "energy.csv", delimiter=",", ndmin=2)
    assert energies.shape == (first + more, len(TEMPERATURES_K) ** 2) and np.all(np.isfinite(energies))
    for state in range(len(TEMPERATURES_K)):
        frames = mdtraj.load(str(output / f"state_{state}.xtc"), top=mdtraj.Topology.from_openmm(chain_topology()))
        assert frames.n_frames == first + more
    # It moved on from the checkpoints, and each replica's last conformation is its checkpoint.
    for kept, conformation in zip(stopped, sampler.replicaConformation):
        assert not np.array_equal(conformation.getPositions(asNumpy=True).value_in_unit(unit.nanometer), kept)
    for replica, conformation in enumerate(sampler.replicaConformation):
        saved = openmm.XmlSerializer.deserialize((output / f"checkpoint_{replica}.xml").read_text())
        np.testing.assert_array_equal(saved.getPositions(asNumpy=True), conformation.getPositions(asNumpy=True))
    assert sampler.flowMovesAttempted.sum() == more * len(TEMPERATURES_K) * 5  # counts start again on resume


def test_replicas_can_be_moved_one_by_one_for_equilibration():
    sampler = TSFReplicaExchangeSampler(temperature_states(), chain_simulation(True, seed=9), 5)
    assert sampler.mdStepsPerIteration == 0
    start = chain_positions()
    sampler.simulateReplica(1, steps=0)  # no move: the Context now holds replica 1, at the starting positions
    # Replica 0 has the same positions, so the TSFIntegrator is told to compute its latent point again.
    sampler.simulateReplica(0, steps=4)
    sampler.simulateReplica(2, steps=0, mdSteps=30)  # MD only: velocities drawn at 475 K first
    sampler.simulateReplica(3, steps=7)
    assert sampler.flowMovesAttempted.sum(axis=1).tolist() == [4, 0, 0, 7]
    positions = [c.getPositions(asNumpy=True).value_in_unit(unit.nanometer) for c in sampler.replicaConformation]
    np.testing.assert_array_equal(positions[1], start)
    for replica in (0, 2, 3):
        assert not np.allclose(positions[replica], start)
    velocities = sampler.replicaConformation[2].getVelocities(asNumpy=True)._value  # nm/ps
    assert np.all(np.isfinite(velocities)) and np.any(velocities != 0.0)


def langevin_simulation(with_tsf_force: bool) -> app.Simulation:
    system = chain_system(chain_flow_bytes())
    if not with_tsf_force:
        system.removeForce(system.getNumForces() - 1)
    return app.Simulation(chain_topology(), system, openmm.LangevinMiddleIntegrator(300, 1, 0.001),
                          openmm.Platform.getPlatformByName("Reference"))


def compound_simulation(*integrators) -> app.Simulation:
    compound = openmm.CompoundIntegrator()
    for integrator in integrators:
        compound.addIntegrator(integrator)
    return app.Simulation(chain_topology(), chain_system(chain_flow_bytes()), compound,
                          openmm.Platform.getPlatformByName("Reference"))


@pytest.mark.parametrize("make, states, md_steps, message", [
    (lambda: langevin_simulation(False), temperature_states(), 0, "System has no TSFForce"),
    (lambda: langevin_simulation(True), temperature_states(), 0, "is not a TSFIntegrator"),
    (lambda: chain_simulation(False, 1, (300.0, 400.0)), temperature_states(), 0, "has 2 temperatures"),
    (lambda: chain_simulation(False, 1), [{"temperature": 300}, {}], 0, "state 1 has no 'temperature'"),
    (lambda: chain_simulation(False, 1), [{"temperature": -5 * unit.kelvin}], 0, "temperatures must be positive"),
    (lambda: chain_simulation(False, 1), [{"temperature": 300, "groups": {0}}], 0, "does not support the 'groups'"),
    (lambda: chain_simulation(False, 1), temperature_states(), 10, "needs an integrator for MD"),
    (lambda: compound_simulation(openmmtsf.TSFIntegrator(300), openmm.VerletIntegrator(0.001)), temperature_states(),
     10, "has no temperature"),
    (lambda: compound_simulation(openmm.VerletIntegrator(0.001)), temperature_states(), 0,
     "nor a CompoundIntegrator holding one"),
])
def test_mistakes_get_clear_errors(make, states, md_steps, message):
    with pytest.raises(ValueError, match=message):
        TSFReplicaExchangeSampler(states, make(), 5, md_steps)
