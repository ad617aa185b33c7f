# SPDX-License-Identifier: MIT
"""The Z-matrix definition and builders from Python."""
import openmm
import pytest
from openmm import app

import openmmtsf
from conftest import PHI, PSI, ala2_atoms, ala2_system


@pytest.mark.parametrize("constraints,num_ics", [(None, 60), (app.HBonds, 48)])
def test_alanine_dipeptide_gets_a_zmatrix_with_phi_and_psi(ala2_pdb, constraints, num_ics):
    system = ala2_system(ala2_pdb, constraints)
    for definition in (openmmtsf.InternalCoordinates.createFromSystem(system),
                       openmmtsf.internal_coordinates_from_topology(ala2_pdb.topology, system)):
        assert definition.getNumAtoms() == 22
        assert definition.getNumInternalCoordinates() == num_ics
        assert definition.findTorsion(*ala2_atoms(ala2_pdb, PHI)) >= 0
        assert definition.findTorsion(*ala2_atoms(ala2_pdb, PSI)) >= 0


def test_topology_and_system_builders_agree(ala2_pdb):
    system = ala2_system(ala2_pdb, app.HBonds)
    a = openmmtsf.InternalCoordinates.createFromSystem(system)
    b = openmmtsf.internal_coordinates_from_topology(ala2_pdb.topology, system)
    assert [a.getAtom(r) for r in range(22)] == [b.getAtom(r) for r in range(22)]
    assert [a.getFixedBondLength(r) for r in range(22)] == [b.getFixedBondLength(r) for r in range(22)]


def test_subset_of_atoms(ala2_pdb):
    heavy = [a.index for a in ala2_pdb.topology.atoms() if a.element != app.element.hydrogen]
    definition = openmmtsf.internal_coordinates_from_topology(ala2_pdb.topology, atoms=heavy)
    assert list(definition.getParticles()) == sorted(heavy)
    assert definition.getNumInternalCoordinates() == 3 * len(heavy) - 6
    assert definition.findTorsion(*ala2_atoms(ala2_pdb, PHI)) >= 0


@pytest.mark.parametrize("build,message", [
    (lambda d: d.addAtom(-3), "must not be negative"),
    (lambda d: d.addAtom(0, 1, 2, 4), "placed twice"),
    (lambda d: d.addAtom(5, 9, 0, 1), "not placed yet"),
    (lambda d: d.addAtom(5, 2, 1), "needs exactly 3 partner"),
    (lambda d: d.validate(3), "out of range"),
])
def test_bad_rows_raise_openmm_exceptions(build, message):
    definition = openmmtsf.InternalCoordinates()
    definition.addAtom(0)
    definition.addAtom(1, 0)
    definition.addAtom(2, 1, 0)
    definition.addAtom(4, 2, 1, 0)
    with pytest.raises(openmm.OpenMMException, match=message):
        build(definition)
    assert definition.getNumAtoms() == 4


def test_builder_errors(ala2_pdb):
    with pytest.raises(openmm.OpenMMException, match="disconnected"):
        openmmtsf.InternalCoordinates.createFromBonds([0, 1, 2, 3], [(0, 1), (2, 3)], [])
    system = ala2_system(ala2_pdb, app.HBonds)
    with pytest.raises(openmm.OpenMMException, match="out of range"):
        openmmtsf.InternalCoordinates.createFromSystem(system, [0, 1, 99])
    system.addConstraint(0, 2, 0.18)
    with pytest.raises(openmm.OpenMMException, match="cannot represent"):
        openmmtsf.internal_coordinates_from_topology(ala2_pdb.topology, system)


def test_xml_round_trip(ala2_pdb):
    definition = openmmtsf.InternalCoordinates.createFromSystem(ala2_system(ala2_pdb, app.HBonds))
    xml = openmmtsf.serialize_internal_coordinates(definition)
    copy = openmmtsf.deserialize_internal_coordinates(xml)
    assert [copy.getAtom(r) for r in range(22)] == [definition.getAtom(r) for r in range(22)]
    assert [copy.getFixedBondLength(r) for r in range(22)] == [definition.getFixedBondLength(r) for r in range(22)]
    with pytest.raises(openmm.OpenMMException):
        openmmtsf.deserialize_internal_coordinates(xml.replace('version="1"', 'version="7"'))
