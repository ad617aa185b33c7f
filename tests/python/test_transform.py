# SPDX-License-Identifier: MIT
"""The batched IC transform from Python: NumPy shapes, round trips, mdtraj dihedrals, the VJP."""
import mdtraj
import numpy as np
import openmm
import pytest
from openmm import app, unit

import openmmtsf
from conftest import PHI, PSI, REFERENCE_PLATFORMS, ala2_atoms, ala2_system


def make_transform(definition, platform_name):
    return openmmtsf.InternalCoordinateTransform(definition, openmm.Platform.getPlatformByName(platform_name))


@pytest.fixture(scope="module")
def ala2_definition(ala2_pdb):
    return openmmtsf.internal_coordinates_from_topology(ala2_pdb.topology)


@pytest.mark.parametrize("platform", REFERENCE_PLATFORMS)
def test_batched_round_trip(ala2_definition, ala2_trajectory, platform):
    transform = make_transform(ala2_definition, platform)
    ics, logdet = transform.forward(ala2_trajectory)
    assert ics.shape == (len(ala2_trajectory), 60) and logdet.shape == (len(ala2_trajectory),)
    x, logdet_inverse, out_of_range = transform.inverse(ics, transform.extract_frames(ala2_trajectory))
    assert x.shape == ala2_trajectory.shape
    assert np.abs(x - ala2_trajectory).max() < 1e-10
    assert np.abs(logdet + logdet_inverse).max() < 1e-10
    assert not out_of_range.any()


def test_phi_and_psi_agree_with_mdtraj(ala2_pdb, ala2_definition, ala2_trajectory):
    transform = make_transform(ala2_definition, "Reference")
    ics, _ = transform.forward(ala2_trajectory)
    phi_atoms, psi_atoms = ala2_atoms(ala2_pdb, PHI), ala2_atoms(ala2_pdb, PSI)
    trajectory = mdtraj.Trajectory(ala2_trajectory, mdtraj.Topology.from_openmm(ala2_pdb.topology))
    expected = mdtraj.compute_dihedrals(trajectory, [phi_atoms, psi_atoms], periodic=False)
    got = ics[:, [ala2_definition.findTorsion(*phi_atoms), ala2_definition.findTorsion(*psi_atoms)]]
    # mdtraj works in float32.
    assert np.abs(got - expected).max() < 1e-5
    assert np.ptp(got[:, 0]) > 0.5, "the trajectory should move phi, or the check is weak"


def test_constrained_bonds_come_back_at_constraint_length(ala2_pdb, ala2_trajectory):
    system = ala2_system(ala2_pdb, app.HBonds)
    definition = openmmtsf.internal_coordinates_from_topology(ala2_pdb.topology, system)
    transform = make_transform(definition, "CPU")
    ics, _ = transform.forward(ala2_trajectory)
    x, _, _ = transform.inverse(ics, transform.extract_frames(ala2_trajectory))
    for c in range(system.getNumConstraints()):
        i, j, length = system.getConstraintParameters(c)
        distances = np.linalg.norm(x[:, i] - x[:, j], axis=1)
        assert np.allclose(distances, length.value_in_unit(unit.nanometer), atol=1e-12)


def test_quantities_and_single_configurations(ala2_pdb, ala2_definition):
    transform = make_transform(ala2_definition, "Reference")
    ics, logdet = transform.forward(ala2_pdb.positions)
    assert ics.shape == (60,) and np.ndim(logdet) == 0
    frame = transform.extract_frames(ala2_pdb.positions)
    x, _, out_of_range = transform.inverse(ics, frame)
    expected = ala2_pdb.getPositions(asNumpy=True).value_in_unit(unit.nanometer)
    assert np.abs(x - expected).max() < 1e-10 and not out_of_range


def test_vjp_matches_finite_differences(ala2_definition, ala2_trajectory):
    transform = make_transform(ala2_definition, "Reference")
    ics, _ = transform.forward(ala2_trajectory[:3])
    frames = transform.extract_frames(ala2_trajectory[:3])
    rng = np.random.default_rng(3)
    grad_x, grad_logdet = rng.normal(size=(3, 22, 3)), rng.normal(size=3)

    def loss(q):
        x, logdet, _ = transform.inverse(q, frames)
        return np.sum(grad_x * x, axis=(1, 2)) + grad_logdet * logdet

    gradient = transform.inverse_vjp(ics, frames, grad_x, grad_logdet)
    h = 1e-6
    for i in rng.choice(60, size=12, replace=False):
        step = np.zeros_like(ics)
        step[:, i] = h
        numeric = (loss(ics + step) - loss(ics - step)) / (2 * h)
        assert np.allclose(gradient[:, i], numeric, rtol=1e-6, atol=1e-6)


def test_out_of_range_rows_are_flagged(ala2_definition, ala2_trajectory):
    transform = make_transform(ala2_definition, "CPU")
    ics, _ = transform.forward(ala2_trajectory[:4])
    bonds, angles = ala2_definition.getNumBonds(), ala2_definition.getNumAngles()
    ics[1, 0] = -0.1
    ics[2, bonds] = 3.3
    ics[3, bonds + angles] = -np.pi
    _, _, out_of_range = transform.inverse(ics, transform.extract_frames(ala2_trajectory[:4]))
    assert out_of_range.tolist() == [False, True, True, True]


@pytest.mark.parametrize("call,message", [
    (lambda t, x, q, f: t.forward(x[:, :21]), "positions has shape"),
    (lambda t, x, q, f: t.forward(x.reshape(-1)), "positions has shape"),
    (lambda t, x, q, f: t.inverse(q[:, :59], f), "coordinates has shape"),
    (lambda t, x, q, f: t.inverse(q, f[:, :2]), "frames have shape"),
    (lambda t, x, q, f: t.inverse_vjp(q, f, x[:2], np.ones(len(q))), "batch sizes differ"),
])
def test_wrong_shapes_raise(ala2_definition, ala2_trajectory, call, message):
    transform = make_transform(ala2_definition, "Reference")
    x = ala2_trajectory[:3]
    q, _ = transform.forward(x)
    with pytest.raises(openmm.OpenMMException, match=message):
        call(transform, x, q, transform.extract_frames(x))


def test_collinear_root_frame_raises(ala2_definition, ala2_trajectory):
    transform = make_transform(ala2_definition, "Reference")
    q, _ = transform.forward(ala2_trajectory[0])
    frame = transform.extract_frames(ala2_trajectory[0])
    frame[2] = 2 * frame[1] - frame[0]
    with pytest.raises(openmm.OpenMMException, match="collinear"):
        transform.inverse(q, frame)
