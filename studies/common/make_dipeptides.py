#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Builds alanine dipeptide (ACE-ALA-NME, L-alanine), glycine dipeptide (ACE-GLY-NME) and valine dipeptide
(ACE-VAL-NME, L-valine) from ideal internal coordinates, relaxes them with amber99sb-ildn + OBC implicit solvent
and writes ``examples/data/alanine-dipeptide.pdb``, ``studies/glycine-dipeptide/glycine-dipeptide.pdb`` and
``studies/valine-dipeptide/valine-dipeptide.pdb``.

Run it with Debian's ``/usr/bin/python3`` (it needs ``openmm``). It uses its own small placement routine,
independent of the plugin, so that the plugin's tests can check against it.
"""
from pathlib import Path

import numpy as np
import openmm
from openmm import app, unit

DEG = np.pi / 180.0

# (residue, atom name, element, bond partner, angle partner, torsion partner,
#  bond length in nm, angle in degrees, torsion in degrees), partners by name within the list.
ATOMS = [
    ("ACE", "H1", "H", "CH3", "C", "N", 0.109, 109.5, 60.0),
    ("ACE", "CH3", "C", None, None, None, 0, 0, 0),
    ("ACE", "H2", "H", "CH3", "C", "N", 0.109, 109.5, 180.0),
    ("ACE", "H3", "H", "CH3", "C", "N", 0.109, 109.5, -60.0),
    ("ACE", "C", "C", "CH3", None, None, 0.152, 0, 0),
    ("ACE", "O", "O", "C", "CH3", None, 0.123, 121.0, 0),
    ("ALA", "N", "N", "C", "CH3", "O", 0.133, 115.0, 180.0),
    ("ALA", "H", "H", "N", "C", "CH3", 0.101, 119.0, 0.0),
    ("ALA", "CA", "C", "N", "C", "CH3", 0.146, 122.0, 180.0),
    ("ALA", "HA", "H", "CA", "C2", "N", 0.109, 109.5, -118.0),
    ("ALA", "CB", "C", "CA", "C2", "N", 0.153, 110.0, 122.7),
    ("ALA", "HB1", "H", "CB", "CA", "N", 0.109, 109.5, 60.0),
    ("ALA", "HB2", "H", "CB", "CA", "N", 0.109, 109.5, 180.0),
    ("ALA", "HB3", "H", "CB", "CA", "N", 0.109, 109.5, -60.0),
    ("ALA", "C2", "C", "CA", "N", "C", 0.152, 110.0, -80.0),   # phi
    ("ALA", "O2", "O", "C2", "CA", "N", 0.123, 121.0, 150.0 + 180.0),
    ("NME", "N2", "N", "C2", "CA", "N", 0.133, 116.0, 150.0),  # psi
    ("NME", "H2N", "H", "N2", "C2", "CA", 0.101, 119.0, 0.0),
    ("NME", "C3", "C", "N2", "C2", "CA", 0.146, 122.0, 180.0),
    ("NME", "H31", "H", "C3", "N2", "C2", 0.109, 109.5, 60.0),
    ("NME", "H32", "H", "C3", "N2", "C2", 0.109, 109.5, 180.0),
    ("NME", "H33", "H", "C3", "N2", "C2", 0.109, 109.5, -60.0),
]
# Build order: every atom after its partners.
BUILD_ORDER = ["CH3", "C", "O", "N", "H1", "H2", "H3", "CA", "H", "C2", "CB", "HA", "HB1", "HB2", "HB3",
               "O2", "N2", "H2N", "C3", "H31", "H32", "H33"]
# Names within the list -> PDB names.
PDB_NAME = {"C2": "C", "O2": "O", "N2": "N", "H2N": "H", "C3": "C", "H31": "H1", "H32": "H2", "H33": "H3"}


def place(a: np.ndarray, b: np.ndarray, c: np.ndarray, bond: float, angle: float, torsion: float) -> np.ndarray:
    """Position of d with |d - c| = bond, angle b-c-d and dihedral a-b-c-d (radians)."""
    bc = (c - b) / np.linalg.norm(c - b)
    n = np.cross(b - a, bc)
    n /= np.linalg.norm(n)
    m = np.cross(n, bc)
    local = bond * np.array([-np.cos(angle), np.sin(angle) * np.cos(torsion), np.sin(angle) * np.sin(torsion)])
    return c + local[0] * bc + local[1] * m + local[2] * n


GLYCINE_NAMES = {"HA": "HA2", "CB": "HA3"}


def glycine_atoms() -> list:
    """ACE-GLY-NME: alanine's HA and CB become the hydrogens HA2 and HA3; the methyl hydrogens go."""
    rows = []
    for row in ATOMS:
        residue, name = row[0], row[1]
        if name in ("HB1", "HB2", "HB3"):
            continue
        if residue == "ALA":
            row = ("GLY",) + row[1:]
        if name == "HA":
            row = ("GLY", "HA2") + row[2:]
        if name == "CB":
            row = ("GLY", "HA3", "H", "CA", "C2", "N", 0.109, 109.5, 122.7)
        rows.append(row)
    return rows


def valine_atoms() -> list:
    """ACE-VAL-NME: alanine's methyl hydrogens become valine's HB and two methyl groups."""
    side_chain = [("VAL", "HB", "H", "CB", "CA", "N", 0.109, 109.5, 180.0),
                  ("VAL", "CG1", "C", "CB", "CA", "N", 0.153, 110.0, -60.0),
                  ("VAL", "CG2", "C", "CB", "CA", "N", 0.153, 110.0, 60.0)]
    for carbon in ("CG1", "CG2"):
        side_chain += [("VAL", f"H{carbon[1:]}{k}", "H", carbon, "CB", "CA", 0.109, 109.5, torsion)
                       for k, torsion in ((1, 60.0), (2, 180.0), (3, -60.0))]
    rows = []
    for row in ATOMS:
        if row[1] in ("HB1", "HB2", "HB3"):
            continue
        rows.append(("VAL",) + row[1:] if row[0] == "ALA" else row)
        if row[1] == "CB":
            rows += side_chain
    return rows


def build(atoms: list) -> dict:
    spec = {row[1]: row for row in atoms}
    xyz = {"CH3": np.zeros(3)}
    xyz["C"] = np.array([0.152, 0.0, 0.0])
    angle = spec["O"][7] * DEG
    xyz["O"] = xyz["C"] + 0.123 * np.array([-np.cos(angle), np.sin(angle), 0.0])
    order = [n if n in spec else GLYCINE_NAMES.get(n, n) for n in BUILD_ORDER[3:]]
    order = [n for n in order if n in spec]
    order += [row[1] for row in atoms if row[1] not in order and row[1] not in ("CH3", "C", "O")]
    for name in order:
        _, _, _, j, k, l, bond, ang, tor = spec[name]
        xyz[name] = place(xyz[l], xyz[k], xyz[j], bond, ang * DEG, tor * DEG)
    return xyz


def write_dipeptide(atoms: list, path: Path) -> None:
    """Build, relax and write one dipeptide."""
    xyz = build(atoms)
    topology = app.Topology()
    chain = topology.addChain()
    residues = {}
    for res_name, name, element, *_ in atoms:
        if res_name not in residues:
            residues[res_name] = topology.addResidue(res_name, chain)
        topology.addAtom(PDB_NAME.get(name, name), app.Element.getBySymbol(element), residues[res_name])
    positions = [openmm.Vec3(*xyz[row[1]]) for row in atoms] * unit.nanometer
    raw = path
    with open(raw, "w") as handle:
        app.PDBFile.writeFile(topology, positions, handle)
    pdb = app.PDBFile(str(raw))  # adds the standard bonds
    forcefield = app.ForceField("amber99sbildn.xml", "amber99_obc.xml")
    system = forcefield.createSystem(pdb.topology, nonbondedMethod=app.NoCutoff, constraints=app.HBonds)
    context = openmm.Context(system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName("Reference"))
    context.setPositions(pdb.positions)
    openmm.LocalEnergyMinimizer.minimize(context, 1e-3)
    state = context.getState(getPositions=True, getEnergy=True)
    with open(raw, "w") as handle:
        app.PDBFile.writeFile(pdb.topology, state.getPositions(), handle)
    print(f"wrote {raw} (potential energy {state.getPotentialEnergy()})")


def main() -> None:
    root = Path(__file__).resolve().parents[2]
    write_dipeptide(ATOMS, root / "examples" / "data" / "alanine-dipeptide.pdb")
    write_dipeptide(glycine_atoms(), root / "studies" / "glycine-dipeptide" / "glycine-dipeptide.pdb")
    write_dipeptide(valine_atoms(), root / "studies" / "valine-dipeptide" / "valine-dipeptide.pdb")


if __name__ == "__main__":
    main()
