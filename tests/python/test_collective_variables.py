# SPDX-License-Identifier: MIT
"""Collective variables by index and by mdtraj selection, the default backbone torsions, and basins."""
import mdtraj
import numpy as np
import pytest

from openmmtsf.collective_variables import (Basin, CollectiveVariable, amide_torsions, backbone_torsions,
                                            default_basin_text, evaluate, parse_cv, ramachandran_regions,
                                            recorded_variables)


def test_backbone_torsions_of_alanine_dipeptide_are_its_phi_and_psi(ala2_pdb):
    torsions = backbone_torsions(ala2_pdb.topology)
    assert [t.definition for t in torsions] == ["phi1=dihedral:4,6,8,14", "psi1=dihedral:6,8,14,16"]
    trajectory = mdtraj.Trajectory(np.array([ala2_pdb.getPositions(asNumpy=True)._value], dtype=np.float32),
                                   mdtraj.Topology.from_openmm(ala2_pdb.topology))
    expected = np.concatenate([mdtraj.compute_phi(trajectory)[1], mdtraj.compute_psi(trajectory)[1]], axis=1)
    assert np.allclose(evaluate(torsions, trajectory.xyz), expected, atol=1e-6)
    assert amide_torsions(ala2_pdb.topology) == [(1, 4, 6, 8), (8, 14, 16, 18)]


def test_a_variable_by_selection_is_the_same_as_by_index(ala2_pdb):
    by_index = parse_cv("phi=dihedral:4,6,8,14", ala2_pdb.topology)
    by_selection = parse_cv("phi=dihedral:resid 0 and name C, resid 1 and name N, resid 1 and name CA,"
                            "resid 1 and name C", ala2_pdb.topology)
    assert by_index == by_selection
    assert parse_cv(by_index.definition) == by_index


def test_distances_angles_and_dihedrals_take_their_units():
    square = np.array([[[1.0, 0, 0], [0, 0, 0], [0, 1.0, 0], [0, 1.0, 1.0]]])
    variables = [parse_cv("d=distance:0,2"), parse_cv("a=angle:0,1,2"), parse_cv("t=dihedral:0,1,2,3")]
    assert evaluate(variables, square)[0] == pytest.approx([np.sqrt(2.0), np.pi / 2, -np.pi / 2])


@pytest.mark.parametrize("text, message", [
    ("phi", "write NAME=KIND:ATOMS"),
    ("phi=torsion:1,2,3,4", "unknown kind"),
    ("phi=dihedral:1,2,3", "takes 4 distinct atoms"),
    ("phi=dihedral:1,2,3,3", "takes 4 distinct atoms"),
    ("phi=dihedral:1,2,3,99", "out of range"),
    ("phi=dihedral:1,2,3,element C", "selects 6 atoms"),
    ("phi=dihedral:1,2,3,resid 1 and", "cannot read the atom selection"),
])
def test_malformed_variables_are_refused_clearly(ala2_pdb, text, message):
    with pytest.raises(ValueError, match=message):
        parse_cv(text, ala2_pdb.topology)


def test_a_basin_is_a_conjunction_of_conditions_in_degrees():
    variables = [parse_cv("phi1=dihedral:0,1,2,3"), parse_cv("psi1=dihedral:1,2,3,4"), parse_cv("d=distance:0,4")]
    values = np.radians([[60.0, 10.0, 0.0], [-60.0, 10.0, 0.0], [60.0, -40.0, 0.0]])
    values[:, 2] = [0.3, 0.3, 0.6]  # nm
    names = [v.name for v in variables]
    assert Basin("phi1>0", variables).contains(values, names).tolist() == [True, False, True]
    assert Basin("phi1>0 and psi1>=0", variables).contains(values, names).tolist() == [True, False, False]
    assert Basin("d<0.5", variables).contains(values, names).tolist() == [True, True, False]
    assert Basin("phi1 > 59.9 and d < 0.5", variables).contains(values[None], names).tolist() == [[True, False, False]]
    with pytest.raises(ValueError, match="names chi1, which is not among"):
        Basin("chi1>0", variables)
    with pytest.raises(ValueError, match="cannot read the basin"):
        Basin("phi1 = 0", variables)


def test_the_default_basin_is_the_first_backbone_phi_and_names_are_distinct(ala2_pdb):
    assert default_basin_text(["d", "phi3", "psi3", "phi4"]) == "phi3>0"
    with pytest.raises(ValueError, match="give one with --basin"):
        default_basin_text(["d"])
    with pytest.raises(ValueError, match="phi1 given twice"):
        recorded_variables(ala2_pdb.topology, [CollectiveVariable("phi1", "distance", (0, 1))])


def test_ramachandran_regions_partition_the_plane():
    phi, psi = np.meshgrid(np.linspace(-np.pi, np.pi, 37), np.linspace(-np.pi, np.pi, 37))
    regions = ramachandran_regions(phi, psi)
    assert np.array_equal(sum(r.astype(int) for r in regions.values()), np.ones_like(phi, dtype=int))
    assert regions["alpha_R"][np.isclose(psi, np.radians(-40)) & np.isclose(phi, np.radians(-60))].all()
