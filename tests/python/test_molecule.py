# SPDX-License-Identifier: MIT
"""Molecules from a PDB with a force field or from a serialized System, what is refused, and models that know their
molecule: another molecule, the same atoms in another order, or another molecule of the same size are refused
before any step."""
import numpy as np
import openmm
import pytest
from openmm import app, unit

import openmmtsf
import openmmtsf.cli
from conftest import ALA2_PDB, ROOT
from openmmtsf.fingerprint import MoleculeMismatchError, create_tsf_force, read_fingerprint
from openmmtsf.molecule import load_molecule, molecule
from openmmtsf.topology import internal_coordinates_from_topology

MODEL = ROOT / "models" / "ala2-tsf-600K.pt"
VAL2_PDB = ROOT / "studies" / "valine-dipeptide" / "valine-dipeptide.pdb"


def energy(system: openmm.System, positions) -> float:
    context = openmm.Context(system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName("Reference"))
    context.setPositions(positions)
    return context.getState(getEnergy=True).getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)


def test_a_system_from_xml_or_from_force_field_files(tmp_path):
    default = load_molecule(ALA2_PDB)
    assert default.positions.shape == (22, 3) and default.system.getNumConstraints() == 12
    pdb = app.PDBFile(str(ALA2_PDB))
    amber14 = app.ForceField("amber14-all.xml", "implicit/obc2.xml").createSystem(pdb.topology,
                                                                                 nonbondedMethod=app.NoCutoff)
    (tmp_path / "system.xml").write_text(openmm.XmlSerializer.serialize(amber14))
    from_xml = load_molecule(ALA2_PDB, system=tmp_path / "system.xml")
    assert from_xml.system.getNumConstraints() == 0
    assert energy(from_xml.system, from_xml.positions) == pytest.approx(energy(amber14, pdb.positions))
    from_files = load_molecule(ALA2_PDB, forcefield=["amber14-all.xml", "implicit/obc2.xml"])
    assert from_files.system.getNumConstraints() == 12  # HBonds
    assert energy(from_files.system, from_files.positions) != pytest.approx(energy(default.system, default.positions))


def test_what_tsf_cannot_sample_is_refused(tmp_path):
    pdb = app.PDBFile(str(ALA2_PDB))
    with pytest.raises(ValueError, match="either a System XML or force-field files"):
        load_molecule(ALA2_PDB, system=ALA2_PDB, forcefield=["amber14-all.xml"])
    with pytest.raises(ValueError, match="cannot build a System"):
        load_molecule(ALA2_PDB, forcefield=["tip3p.xml"])
    (tmp_path / "integrator.xml").write_text(openmm.XmlSerializer.serialize(openmm.VerletIntegrator(0.001)))
    with pytest.raises(ValueError, match="not a System"):
        load_molecule(ALA2_PDB, system=tmp_path / "integrator.xml")
    (tmp_path / "broken.xml").write_text("<System")
    with pytest.raises(ValueError, match="not a serialized OpenMM System"):
        load_molecule(ALA2_PDB, system=tmp_path / "broken.xml")
    topology = pdb.topology
    topology.setPeriodicBoxVectors(np.eye(3) * 3.0 * unit.nanometer)
    periodic = app.ForceField("amber14-all.xml").createSystem(topology, nonbondedMethod=app.PME)
    with pytest.raises(ValueError, match="periodic"):
        molecule(topology, periodic, pdb.positions)
    valine = load_molecule(VAL2_PDB)
    with pytest.raises(ValueError, match="28 particles but the topology 22 atoms"):
        molecule(pdb.topology, valine.system, pdb.positions)
    with pytest.raises(FileNotFoundError, match="No file at"):
        load_molecule(tmp_path / "missing.pdb")


def permuted(pdb: app.PDBFile, residue: int):
    """The molecule with the atoms of one residue in reverse order: (topology, positions in nm)."""
    topology = app.Topology()
    chain = topology.addChain()
    order = []
    for source in pdb.topology.residues():
        target = topology.addResidue(source.name, chain)
        atoms = list(source.atoms())
        for atom in (atoms[::-1] if source.index == residue else atoms):
            topology.addAtom(atom.name, atom.element, target)
            order.append(atom.index)
    new = {old: i for i, old in enumerate(order)}
    atoms = list(topology.atoms())
    for a, b in pdb.topology.bonds():
        topology.addBond(atoms[new[a.index]], atoms[new[b.index]])
    return topology, pdb.getPositions(asNumpy=True).value_in_unit(unit.nanometer)[order]


def test_the_shipped_models_record_their_molecule():
    for name, elements in (("ala2-tsf-600K", 22), ("ala2-spline-chisq-300-600K", 22),
                           ("val2-spline-stereo-300-600K", 28)):
        fingerprint = read_fingerprint(ROOT / "models" / f"{name}.pt")
        assert len(fingerprint["elements"]) == elements and fingerprint["zmatrix"]


def test_a_model_for_another_molecule_or_atom_order_is_refused():
    valine = load_molecule(VAL2_PDB)
    with pytest.raises(MoleculeMismatchError, match=r"another molecule \(C6H12N2O2, 22 atoms\); this one is C8H16N2O2"):
        create_tsf_force(MODEL, valine.topology, valine.system)
    pdb = app.PDBFile(str(ALA2_PDB))
    topology, _ = permuted(pdb, residue=1)
    system = app.ForceField("amber99sbildn.xml", "amber99_obc.xml").createSystem(
        topology, nonbondedMethod=app.NoCutoff, constraints=app.HBonds)
    with pytest.raises(MoleculeMismatchError, match="the same atoms in another order"):
        create_tsf_force(MODEL, topology, system)
    # The plugin's own TSFForce, given the permuted molecule's Z-matrix, refuses it too.
    with pytest.raises(MoleculeMismatchError, match="another Z-matrix"):
        openmmtsf.TSFForce(str(MODEL), internal_coordinates_from_topology(topology, system))
    # Another molecule of the same size and Z-matrix size: a methyl hydrogen of alanine made fluorine.
    fluorinated = load_molecule(ALA2_PDB)
    hydrogen = next(atom for atom in fluorinated.topology.atoms() if atom.name == "HB1")
    hydrogen.element = app.element.fluorine
    with pytest.raises(MoleculeMismatchError, match="another molecule .* this one is C6H11FN2O2"):
        create_tsf_force(MODEL, fluorinated.topology, fluorinated.system)
    # Other constraints: the same molecule without HBonds.
    unconstrained = app.ForceField("amber99sbildn.xml", "amber99_obc.xml").createSystem(
        pdb.topology, nonbondedMethod=app.NoCutoff)
    with pytest.raises(MoleculeMismatchError, match="other constraints"):
        create_tsf_force(MODEL, pdb.topology, unconstrained)
    assert create_tsf_force(MODEL, pdb.topology, load_molecule(ALA2_PDB).system).getNumDimensions() == 48


def test_every_command_refuses_a_model_for_another_molecule_before_any_step(tmp_path):
    output = tmp_path / "sample"
    with pytest.raises(SystemExit, match="does not fit this molecule"):
        openmmtsf.cli.main(["sample", "--pdb", str(VAL2_PDB), "--model", str(MODEL), "--output", str(output)])
    assert not output.exists()
    with pytest.raises(SystemExit, match="does not fit this molecule"):
        openmmtsf.cli.main(["reweight", "--pdb", str(VAL2_PDB), "--model", str(MODEL), "--output",
                            str(tmp_path / "refined.pt")])
    assert list(tmp_path.iterdir()) == []
