# SPDX-License-Identifier: MIT
"""TSFForce and TSFIntegrator from OpenMM Python: models, Simulation and reporters, replicas, XML."""
import io

import mdtraj
import numpy as np
import openmm
import pytest
import torch
from openmm import app, unit

import openmmtsf
from conftest import ala2_system
from flows import affine_flow_for


@pytest.fixture(scope="module")
def ala2(ala2_pdb):
    """(system with a TSFForce, scripted flow, Z-matrix) for alanine dipeptide with HBond constraints."""
    system = ala2_system(ala2_pdb, app.HBonds)
    definition = openmmtsf.internal_coordinates_from_topology(ala2_pdb.topology, system)
    transform = openmmtsf.InternalCoordinateTransform(definition, openmm.Platform.getPlatformByName("Reference"))
    ics, _ = transform.forward(ala2_pdb.positions)
    flow = affine_flow_for(definition, ics, training_temperature=300.0)
    system.addForce(openmmtsf.TSFForce(flow, definition))
    return system, flow, definition


def make_simulation(pdb, system, integrator, platform="Reference"):
    simulation = app.Simulation(pdb.topology, system, integrator, openmm.Platform.getPlatformByName(platform))
    simulation.context.setPositions(pdb.positions)
    return simulation


def test_model_can_be_a_path_bytes_or_script_module(ala2, tmp_path):
    _, flow, definition = ala2
    path = tmp_path / "flow.pt"
    torch.jit.save(flow, str(path))
    forces = [openmmtsf.TSFForce(str(path), definition), openmmtsf.TSFForce(path, definition),
              openmmtsf.TSFForce(path.read_bytes(), definition), openmmtsf.TSFForce(flow, definition)]
    for force in forces:
        assert force.getNumDimensions() == 48 and force.getNumAuxiliary() == 0
        assert force.getTrainingTemperature() == 300.0
    for force in forces[:3]:
        assert force.getModelBytes() == path.read_bytes()
    reloaded = torch.jit.load(io.BytesIO(forces[3].getModelBytes()))
    assert reloaded.n_dims == 48 and torch.equal(reloaded.mean, flow.mean)
    with pytest.raises(openmm.OpenMMException, match="Cannot read the TSF model file"):
        openmmtsf.TSFForce(str(tmp_path / "missing.pt"), definition)
    with pytest.raises(openmm.OpenMMException, match="not a TorchScript module"):
        openmmtsf.TSFForce(b"garbage", definition)
    with pytest.raises(TypeError, match="must be a path, bytes or a torch.jit.ScriptModule"):
        openmmtsf.TSFForce(3.5, definition)


def test_simulation_runs_reporters(ala2_pdb, ala2, tmp_path):
    system, _, _ = ala2
    integrator = openmmtsf.TSFIntegrator([300, 450, 600] * unit.kelvin)
    integrator.setRandomNumberSeed(4)
    integrator.setAdaptationSteps(20)
    simulation = make_simulation(ala2_pdb, system, integrator)
    log = io.StringIO()
    simulation.reporters.append(app.StateDataReporter(log, 10, step=True, potentialEnergy=True, temperature=True))
    simulation.reporters.append(app.DCDReporter(str(tmp_path / "trajectory.dcd"), 10))
    simulation.step(60)
    lines = log.getvalue().splitlines()
    assert len(lines) == 7 and lines[-1].startswith("60,")
    temperatures = [float(line.split(",")[2]) for line in lines[1:]]
    # Velocities are Maxwell-Boltzmann at 300 K: about 51 degrees of freedom, a spread of about 20%.
    assert 150 < np.mean(temperatures) < 450
    trajectory = mdtraj.load_dcd(str(tmp_path / "trajectory.dcd"), top=mdtraj.Topology.from_openmm(ala2_pdb.topology))
    assert trajectory.n_frames == 6
    statistics = integrator.getStatistics()
    assert statistics["attempted"].sum() == 3 * 60
    assert statistics["exchanges_attempted"].shape == (3, 3)
    assert sorted(statistics["walkers"]) == [0, 1, 2]


def test_replicas_from_python(ala2_pdb, ala2):
    system, _, _ = ala2
    integrator = openmmtsf.TSFIntegrator(openmmtsf.TSFIntegrator.geometricTemperatures(300 * unit.kelvin, 600 * unit.kelvin, 3))
    simulation = make_simulation(ala2_pdb, system, integrator)
    integrator.step(5)
    shifted = ala2_pdb.getPositions(asNumpy=True) + 1.0 * unit.nanometer
    integrator.setPositions(2, shifted)
    state = integrator.getState(2, getPositions=True, getEnergy=True, groups={0, 1, 2, 3})
    assert np.allclose(state.getPositions(asNumpy=True).value_in_unit(unit.nanometer),
                       shifted.value_in_unit(unit.nanometer))
    reference = simulation.context.getState(getPositions=True).getPositions(asNumpy=True)
    assert np.array_equal(integrator.getState(0, getPositions=True).getPositions(asNumpy=True), reference)
    energies = integrator.getPotentialEnergies()
    assert len(energies) == 3
    for r in range(3):
        expected = integrator.getState(r, getEnergy=True, groups=integrator.getIntegrationForceGroups()).getPotentialEnergy()
        assert energies[r] == pytest.approx(expected.value_in_unit(unit.kilojoule_per_mole), rel=1e-9, abs=1e-9)
    with pytest.raises(openmm.OpenMMException, match="replica index 3 is out of range"):
        integrator.getState(3, getPositions=True)
    with pytest.raises(openmmtsf.WrongShapeError):
        integrator.setPositions(1, np.zeros((22, 2)))
    integrator.setTemperature(310 * unit.kelvin)
    assert integrator.getTemperature() == 310.0 * unit.kelvin
    assert integrator.getTemperatures()[0] == 310.0 * unit.kelvin and len(integrator.getTemperatures()) == 3


@pytest.mark.parametrize("call,message", [
    (lambda: openmmtsf.TSFIntegrator([300, -2]), "must be positive"),
    (lambda: openmmtsf.TSFIntegrator([300, 300]), "all be different"),
    (lambda: openmmtsf.TSFIntegrator(300).setLatentStepSize(-1.0), "sigma must be positive"),
    (lambda: openmmtsf.TSFIntegrator(300).setPriorMoveProbability(2.0), r"\[0, 1\]"),
    (lambda: openmmtsf.TSFIntegrator(300).setProposalsPerFlowCall(0), "proposals per flow call"),
])
def test_bad_settings_raise(call, message):
    with pytest.raises(openmm.OpenMMException, match=message):
        call()


def test_context_without_tsf_force_raises(ala2_pdb):
    system = ala2_system(ala2_pdb, app.HBonds)
    with pytest.raises(openmm.OpenMMException, match="needs a TSFForce"):
        openmm.Context(system, openmmtsf.TSFIntegrator(300), openmm.Platform.getPlatformByName("Reference"))


def test_xml_round_trip_keeps_a_working_model(ala2_pdb, ala2):
    system, _, _ = ala2
    integrator = openmmtsf.TSFIntegrator([300, 600])
    integrator.setPriorMoveProbability(0.0)  # random-walk moves and exchanges every step, as written for
    integrator.setExchangeInterval(1)
    integrator.setRandomNumberSeed(8)
    integrator.setLatentStepSize(0.02)
    system_copy = openmm.XmlSerializer.deserialize(openmm.XmlSerializer.serialize(system))
    restored = openmm.XmlSerializer.deserialize(openmm.XmlSerializer.serialize(integrator))
    integrator_copy = openmmtsf.TSFIntegrator.cast(restored)
    forces = [f for f in system_copy.getForces() if openmmtsf.TSFForce.isinstance(f)]
    assert len(forces) == 1
    assert openmmtsf.TSFForce.cast(forces[0]).getNumDimensions() == 48
    assert integrator_copy.getLatentStepSize(1) == 0.02
    results = []
    for s, i in ((system, integrator), (system_copy, integrator_copy)):
        simulation = make_simulation(ala2_pdb, s, i)
        i.step(30)
        results.append(i.getState(1, getPositions=True).getPositions(asNumpy=True).value_in_unit(unit.nanometer))
    assert np.array_equal(results[0], results[1])
    assert integrator_copy.getNumMovesAccepted(1, openmmtsf.TSFIntegrator.RandomWalkMove) > 0


def _tsf_opencl_available() -> bool:
    platforms = [openmm.Platform.getPlatform(i) for i in range(openmm.Platform.getNumPlatforms())]
    return any(p.getName() == "OpenCL" and p.supportsKernels(["IntegrateTSFStep"]) for p in platforms)


@pytest.mark.skipif(not _tsf_opencl_available(), reason="no OpenCL platform with the plugin's kernels")
def test_opencl_follows_the_reference_trajectory(ala2_pdb, ala2):
    """Alanine dipeptide in implicit solvent with HBond constraints: same seed, same replicas, on OpenCL."""
    system, _, _ = ala2
    results = []
    for name, properties in (("Reference", {}), ("OpenCL", {"Precision": "double"})):
        integrator = openmmtsf.TSFIntegrator([300, 400, 600] * unit.kelvin)
        integrator.setRandomNumberSeed(12)
        integrator.setPriorMoveProbability(0.2)
        context = openmm.Context(system, integrator, openmm.Platform.getPlatformByName(name), properties)
        context.setPositions(ala2_pdb.positions)
        integrator.step(30)
        statistics = integrator.getStatistics()
        positions = [integrator.getState(r, getPositions=True).getPositions(asNumpy=True).value_in_unit(unit.nanometer)
                     for r in range(3)]
        results.append((statistics["accepted"].copy(), np.array(positions)))
    assert np.array_equal(results[0][0], results[1][0])
    assert results[0][0].sum() > 5, "the trajectory must move for the comparison to mean something"
    assert np.abs(results[0][1] - results[1][1]).max() < 1e-6


def test_an_integrator_binds_to_one_live_context(ala2_pdb, ala2):
    system, _, _ = ala2
    integrator = openmmtsf.TSFIntegrator([300.0, 400.0])
    integrator.setRandomNumberSeed(2)
    first = openmm.Context(system, integrator, openmm.Platform.getPlatformByName("Reference"))
    first.setPositions(ala2_pdb.positions)
    with pytest.raises(openmm.OpenMMException, match="already bound to a Context"):
        openmm.Context(system, integrator, openmm.Platform.getPlatformByName("Reference"))
    integrator.step(5)  # the first binding is intact
    assert integrator.getStatistics()["attempted"].sum() == 2 * 5
    first.reinitialize(preserveState=True)
    integrator.step(5)
    del first
    second = openmm.Context(system, integrator, openmm.Platform.getPlatformByName("Reference"))
    second.setPositions(ala2_pdb.positions)
    integrator.step(5)
    assert integrator.getStatistics()["attempted"].sum() == 2 * 5


def test_an_error_mid_step_leaves_replica_zero_in_the_context(ala2_pdb, ala2):
    """An energy that fails at the first trial: the Context must get replica 0 back, not keep the trial."""
    system, _, _ = ala2
    system = openmm.XmlSerializer.deserialize(openmm.XmlSerializer.serialize(system))
    armed = {"fail": False}

    def computation(state):
        if armed["fail"]:
            raise RuntimeError("energy failed")
        return 0.0, np.zeros((system.getNumParticles(), 3))

    system.addForce(openmm.PythonForce(computation))
    integrator = openmmtsf.TSFIntegrator([300.0, 400.0])
    integrator.setPriorMoveProbability(0.0)  # random-walk moves and exchanges every step, as written for
    integrator.setExchangeInterval(1)
    integrator.setRandomNumberSeed(6)
    integrator.setLatentStepSize(0.01)  # trials in range, so that their energies are computed
    context = openmm.Context(system, integrator, openmm.Platform.getPlatformByName("Reference"))
    context.setPositions(ala2_pdb.positions)
    replica0 = integrator.getState(0, getPositions=True).getPositions(asNumpy=True)
    armed["fail"] = True
    with pytest.raises(Exception, match="energy failed"):
        integrator.step(1)
    armed["fail"] = False
    held = context.getState(getPositions=True).getPositions(asNumpy=True)
    assert np.array_equal(held, replica0)
    assert np.array_equal(integrator.getState(0, getPositions=True).getPositions(asNumpy=True), replica0)
    integrator.step(3)  # and the run goes on


def test_replicas_keep_their_virtual_sites_up_to_date(ala2_pdb, ala2):
    """A virtual site at the midpoint of two atoms, bound by a spring to a third: every replica's reported site
    must sit at its midpoint, and its reported energy must be the energy of its positions."""
    system, _, _ = ala2
    system = openmm.XmlSerializer.deserialize(openmm.XmlSerializer.serialize(system))
    for index in reversed(range(system.getNumForces())):  # the per-particle forces would need the site too
        if isinstance(system.getForce(index), (openmm.NonbondedForce, openmm.GBSAOBCForce, openmm.CustomGBForce)):
            system.removeForce(index)
    site = system.addParticle(0.0)
    system.setVirtualSite(site, openmm.TwoParticleAverageSite(4, 6, 0.5, 0.5))
    spring = openmm.CustomBondForce("500*(r-0.4)^2")
    spring.addBond(site, 18)
    system.addForce(spring)
    integrator = openmmtsf.TSFIntegrator([300.0, 450.0, 600.0])
    integrator.setPriorMoveProbability(0.0)  # random-walk moves and exchanges every step, as written for
    integrator.setExchangeInterval(1)
    integrator.setRandomNumberSeed(9)
    integrator.setLatentStepSize(0.02)
    context = openmm.Context(system, integrator, openmm.Platform.getPlatformByName("Reference"))
    context.setPositions(list(ala2_pdb.positions.value_in_unit(unit.nanometer)) + [openmm.Vec3(0, 0, 0)])
    integrator.step(30)
    assert integrator.getStatistics()["accepted"].sum() > 10
    check = openmm.Context(system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName("Reference"))
    for replica in range(3):
        state = integrator.getState(replica, getPositions=True, getEnergy=True)
        x = state.getPositions(asNumpy=True).value_in_unit(unit.nanometer)
        assert np.allclose(x[site], 0.5 * (x[4] + x[6]), atol=1e-12)
        check.setPositions(x)
        expected = check.getState(getEnergy=True).getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
        assert state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole) == pytest.approx(expected, rel=1e-9)
