# SPDX-License-Identifier: MIT
"""Collective variables (distances, angles, dihedrals of atoms given by index or by mdtraj selection) and basins
(conditions on them), for reporters, ladder records, free energies and summaries.

Values are in mdtraj's units: nm for distances, radians in (-pi, pi] for angles and dihedrals. In a basin's
condition angles are written in degrees, as chemists write them: ``phi1>0 and psi1<50``.
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import mdtraj
import numpy as np
from openmm import app

#: The number of atoms of each kind of collective variable.
ATOMS_PER_KIND = {"distance": 2, "angle": 3, "dihedral": 4}
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_COMPARISONS: Dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}


@dataclass(frozen=True)
class CollectiveVariable:
    """A named distance, angle or dihedral of atoms (0-based indices into the Topology)."""
    name: str
    kind: str
    atoms: Tuple[int, ...]

    def __post_init__(self):
        if not re.fullmatch(_NAME, self.name):
            raise ValueError(f"the collective variable name {self.name!r} must be a letter or _ followed by letters, "
                             f"digits or _")
        if self.kind not in ATOMS_PER_KIND:
            raise ValueError(f"unknown kind {self.kind!r} of collective variable {self.name}: "
                             f"use {', '.join(ATOMS_PER_KIND)}")
        if len(self.atoms) != ATOMS_PER_KIND[self.kind] or len(set(self.atoms)) != len(self.atoms):
            raise ValueError(f"a {self.kind} takes {ATOMS_PER_KIND[self.kind]} distinct atoms; {self.name} has "
                             f"{list(self.atoms)}")

    @property
    def definition(self) -> str:
        """``NAME=KIND:I,J,...``, which parse_cv() reads back (how runs record their variables)."""
        return f"{self.name}={self.kind}:{','.join(str(atom) for atom in self.atoms)}"

    @property
    def angular(self) -> bool:
        """Whether the value is an angle (radians; degrees in basin conditions)."""
        return self.kind != "distance"


def parse_cv(text: str, topology: Optional[app.Topology] = None) -> CollectiveVariable:
    """A collective variable from ``NAME=KIND:ATOM,ATOM,...``, each ATOM a 0-based index or, given the ``topology``,
    an mdtraj selection that selects exactly one atom, e.g. ``phi3=dihedral:14,16,18,24`` or
    ``d=distance:resid 0 and name C,resid 2 and name N``.

    Raises:
        ValueError: for a malformed definition, an unknown kind, an index out of range, or a selection that does not
            select exactly one atom.
    """
    match = re.fullmatch(rf"\s*({_NAME})\s*=\s*(\w+)\s*:(.+)", text)
    if not match:
        raise ValueError(f"cannot read the collective variable {text!r}: write NAME=KIND:ATOMS, e.g. "
                         f"phi3=dihedral:14,16,18,24 (KIND: {', '.join(ATOMS_PER_KIND)})")
    name, kind, spec = match.groups()
    selector = None if topology is None else mdtraj.Topology.from_openmm(topology)
    atoms = tuple(_atom(item.strip(), selector, name) for item in spec.split(","))
    return CollectiveVariable(name, kind, atoms)


def _atom(item: str, topology: Optional[mdtraj.Topology], name: str) -> int:
    if re.fullmatch(r"\d+", item):
        if topology is not None and int(item) >= topology.n_atoms:
            raise ValueError(f"{name}: atom {item} is out of range (the topology has {topology.n_atoms} atoms)")
        return int(item)
    if topology is None:
        raise ValueError(f"{name}: {item!r} is not an atom index (selections need the molecule's topology)")
    try:
        selected = topology.select(item)
    except Exception as error:  # mdtraj raises several kinds for a bad selection
        raise ValueError(f"{name}: cannot read the atom selection {item!r}: {error}") from error
    if len(selected) != 1:
        raise ValueError(f"{name}: the selection {item!r} selects {len(selected)} atoms; each atom of a collective "
                         f"variable must be one atom")
    return int(selected[0])


def backbone_torsions(topology: app.Topology) -> List[CollectiveVariable]:
    """Every residue's backbone phi (C-N-CA-C) and psi (N-CA-C-N) that the Topology's bonds connect, named
    ``phi<i>`` and ``psi<i>`` with i the residue's 0-based index (mdtraj's ``resid``), in residue order."""
    index = {(atom.residue.index, atom.name): atom.index for atom in topology.atoms()}
    bonds = {frozenset((a.index, b.index)) for a, b in topology.bonds()}
    torsions = []
    for residue in topology.residues():
        i = residue.index
        phi = [index.get(key) for key in ((i - 1, "C"), (i, "N"), (i, "CA"), (i, "C"))]
        psi = [index.get(key) for key in ((i, "N"), (i, "CA"), (i, "C"), (i + 1, "N"))]
        for name, atoms in (("phi", phi), ("psi", psi)):
            if None not in atoms and all(frozenset(pair) in bonds for pair in zip(atoms, atoms[1:])):
                torsions.append(CollectiveVariable(f"{name}{i}", "dihedral", tuple(atoms)))
    return torsions


def recorded_variables(topology: app.Topology, extra: Sequence[CollectiveVariable] = ()) -> List[CollectiveVariable]:
    """The variables a run records: every residue's backbone phi and psi (backbone_torsions()), then ``extra``.

    Raises:
        ValueError: if two variables share a name.
    """
    variables = backbone_torsions(topology) + list(extra)
    names = [variable.name for variable in variables]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"collective variable names must be distinct (the backbone's are phi<i> and psi<i>): "
                         f"{', '.join(repeated)} given twice")
    return variables


def amide_torsions(topology: app.Topology) -> List[Tuple[int, int, int, int]]:
    """The atoms of every peptide bond's torsion omega (CA or CH3 of one residue, its C, the next residue's N, and
    that residue's CA, CH3 or C); |omega| < pi/2 is a cis amide. Empty for a molecule without peptide bonds."""
    index = {(atom.residue.index, atom.name): atom.index for atom in topology.atoms()}
    bonds = {frozenset((a.index, b.index)) for a, b in topology.bonds()}
    torsions = []
    for residue in topology.residues():
        i = residue.index
        carbon, nitrogen = index.get((i - 1, "C")), index.get((i, "N"))
        if carbon is None or nitrogen is None or frozenset((carbon, nitrogen)) not in bonds:
            continue
        before = next((index[i - 1, name] for name in ("CA", "CH3") if (i - 1, name) in index), None)
        after = next((index[i, name] for name in ("CA", "CH3", "C") if (i, name) in index), None)
        if before is not None and after is not None:
            torsions.append((before, carbon, nitrogen, after))
    return torsions


def evaluate(variables: Sequence[CollectiveVariable], positions: np.ndarray) -> np.ndarray:
    """The values [F, C] of the variables in configurations ``positions`` [F, N, 3] (nm), by mdtraj: nm for
    distances, radians in (-pi, pi] for angles and dihedrals."""
    positions = np.asarray(positions, dtype=np.float32)
    trajectory = mdtraj.Trajectory(positions.reshape(-1, *positions.shape[-2:]), None)
    values = np.empty((trajectory.n_frames, len(variables)))
    compute = {"distance": mdtraj.compute_distances, "angle": mdtraj.compute_angles,
               "dihedral": mdtraj.compute_dihedrals}
    for kind, function in compute.items():
        columns = [c for c, variable in enumerate(variables) if variable.kind == kind]
        if columns:
            values[:, columns] = function(trajectory, [list(variables[c].atoms) for c in columns], periodic=False)
    return values


def cis_amides(positions: np.ndarray, amide_atoms: Sequence[Sequence[int]]) -> np.ndarray:
    """Whether each configuration of ``positions`` [F, N, 3] (nm) has a cis amide (|omega| < pi/2) among the peptide
    bonds ``amide_atoms`` (amide_torsions()): bool [F]."""
    omegas = [CollectiveVariable(f"omega{k}", "dihedral", tuple(atoms)) for k, atoms in enumerate(amide_atoms)]
    return np.any(np.abs(evaluate(omegas, positions)) < np.pi / 2, axis=1)


class Basin:
    """A region of configuration space: conditions ``NAME OP VALUE`` on collective variables joined by ``and``
    (OP one of < <= > >=; angles in degrees, distances in nm), e.g. ``phi1>0`` or ``phi1<0 and psi1>120``."""

    def __init__(self, text: str, variables: Sequence[CollectiveVariable]):
        """Raises ValueError for a malformed condition or a name not among ``variables``."""
        self.text = text.strip()
        kinds = {variable.name: variable for variable in variables}
        self.conditions: List[Tuple[str, Callable, float]] = []
        for clause in re.split(r"\s+and\s+", self.text):
            match = re.fullmatch(rf"\s*({_NAME})\s*(<=|>=|<|>)\s*([-+]?[0-9.]+(?:[eE][-+]?\d+)?)\s*", clause)
            if not match:
                raise ValueError(f"cannot read the basin {text!r}: write conditions such as 'phi1>0' or "
                                 f"'phi1<0 and psi1>120' (angles in degrees, distances in nm)")
            name, comparison, value = match.groups()
            if name not in kinds:
                raise ValueError(f"the basin {text!r} names {name}, which is not among the collective variables "
                                 f"recorded: {', '.join(kinds) or 'none'}")
            threshold = np.radians(float(value)) if kinds[name].angular else float(value)
            self.conditions.append((name, _COMPARISONS[comparison], threshold))

    def contains(self, values: np.ndarray, names: Sequence[str]) -> np.ndarray:
        """Whether each configuration is in the basin, from collective-variable values [..., C] in the order of
        ``names``: bool [...]."""
        columns = list(names)
        inside = np.ones(np.shape(values)[:-1], dtype=bool)
        for name, comparison, threshold in self.conditions:
            inside &= comparison(values[..., columns.index(name)], threshold)
        return inside

    def __str__(self) -> str:
        return self.text


def default_basin_text(names: Sequence[str]) -> str:
    """The basin a run reports when none is given: phi > 0 of the first residue with a backbone phi
    (backbone_torsions()' naming), the left-handed region that is rare at room temperature.

    Raises:
        ValueError: if no backbone phi was recorded (give a basin).
    """
    for name in names:
        if re.fullmatch(r"phi\d+", name):
            return f"{name}>0"
    raise ValueError("no backbone phi was recorded to define the default basin: give one with --basin, e.g. "
                     "--basin 'd1<0.5' for a collective variable d1 given with --cv")


def ramachandran_regions(phi: np.ndarray, psi: np.ndarray) -> Dict[str, np.ndarray]:
    """A residue's Ramachandran regions from phi and psi (radians): alpha_R (phi <= 0, -120 < psi <= 50 degrees),
    beta (the rest of phi <= 0, with PPII) and alpha_L (phi > 0, the left-handed region); bool, the shape of phi."""
    alpha_r = (phi <= 0) & (psi > np.radians(-120.0)) & (psi <= np.radians(50.0))
    return {"alpha_R": alpha_r, "beta": (phi <= 0) & ~alpha_r, "alpha_L": phi > 0}
