# SPDX-License-Identifier: MIT
"""What a trained model was made for: the molecule's elements, masses, bonds, Z-matrix and constraints, stored in
the model file, so that a model is refused for another molecule or another atom order before any step.

The fingerprint is a JSON file inside the TorchScript archive (an "extra file" of ``torch.jit.save``), which the
plugin's C++ loader ignores. It is read with ``zipfile``, without loading the model.
"""
from __future__ import annotations

import io
import json
import warnings
import zipfile
from collections import Counter
from pathlib import Path
from typing import Dict, Optional, Sequence, Union

import openmm
from openmm import app, unit

#: The name of the fingerprint inside a TorchScript archive (under its extra/ folder).
FINGERPRINT_FILE = "openmmtsf_molecule.json"
#: Masses are compared to 1e-4 dalton, constraint lengths to 1e-6 nm.
_MASS_DIGITS, _LENGTH_DIGITS = 4, 6


class MoleculeMismatchError(ValueError):
    """A model was trained for another molecule, or for the same molecule with its atoms in another order."""


def molecule_fingerprint(topology: app.Topology, system: openmm.System, definition) -> Dict[str, object]:
    """The fingerprint of a molecule and its Z-matrix (``InternalCoordinates``) as a JSON-ready dict."""
    from .tsfplugin import serializeInternalCoordinates
    constraints = []
    for index in range(system.getNumConstraints()):
        i, j, length = system.getConstraintParameters(index)
        constraints.append([min(i, j), max(i, j), round(length.value_in_unit(unit.nanometer), _LENGTH_DIGITS)])
    return {
        "elements": [atom.element.symbol if atom.element is not None else "?" for atom in topology.atoms()],
        "masses_dalton": [round(system.getParticleMass(i).value_in_unit(unit.dalton), _MASS_DIGITS)
                          for i in range(system.getNumParticles())],
        "bonds": sorted([min(a.index, b.index), max(a.index, b.index)] for a, b in topology.bonds()),
        "constraints": sorted(constraints),
        "zmatrix": serializeInternalCoordinates(definition),
    }


def fingerprint_extra_files(fingerprint: Dict[str, object]) -> Dict[str, str]:
    """The ``_extra_files`` argument of ``torch.jit.save`` that stores a fingerprint in a model."""
    return {FINGERPRINT_FILE: json.dumps(fingerprint, sort_keys=True)}


def read_fingerprint(model: Union[str, Path, bytes]) -> Optional[Dict[str, object]]:
    """The fingerprint stored in a model (a path or the bytes of a TorchScript archive), or None if it has none (a
    model exported by an older version, or not a TorchScript archive)."""
    try:
        with zipfile.ZipFile(io.BytesIO(model) if isinstance(model, (bytes, bytearray)) else str(model)) as archive:
            names = [name for name in archive.namelist() if name.endswith("/extra/" + FINGERPRINT_FILE)]
            return json.loads(archive.read(names[0])) if names else None
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def _formula(elements: Sequence[str]) -> str:
    counts = Counter(elements)
    order = [e for e in ("C", "H") if e in counts] + sorted(e for e in counts if e not in ("C", "H"))
    return "".join(f"{e}{counts[e] if counts[e] > 1 else ''}" for e in order)


def mismatch(trained: Dict[str, object], here: Dict[str, object]) -> Optional[str]:
    """Why a model trained for the molecule ``trained`` does not fit the molecule ``here`` (fingerprints), or None
    if they are the same."""
    elements, other = list(trained["elements"]), list(here["elements"])
    if len(elements) != len(other) or Counter(elements) != Counter(other):
        return (f"it was trained for another molecule ({_formula(elements)}, {len(elements)} atoms); this one is "
                f"{_formula(other)} ({len(other)} atoms)")
    if elements != other:
        first = next(i for i, (a, b) in enumerate(zip(elements, other)) if a != b)
        return (f"it was trained for the same atoms in another order (atom {first} is {elements[first]} there and "
                f"{other[first]} here): give the atoms in the order of the molecule it was trained on")
    if trained["bonds"] != here["bonds"]:
        only = [b for b in trained["bonds"] if b not in here["bonds"]][:3]
        return (f"its molecule has other bonds ({only} are not bonds here): another molecule of the same formula, or "
                f"atoms of one element in another order")
    if trained["masses_dalton"] != here["masses_dalton"]:
        first = next(i for i, (a, b) in enumerate(zip(trained["masses_dalton"], here["masses_dalton"])) if a != b)
        return (f"its System has other masses (atom {first}: {trained['masses_dalton'][first]} Da there, "
                f"{here['masses_dalton'][first]} Da here: another force field, or hydrogen mass repartitioning)")
    if trained["constraints"] != here["constraints"]:
        return (f"its System has other constraints ({len(trained['constraints'])} there, {len(here['constraints'])} "
                f"here; e.g. HBonds against none): the flow's bond lengths are fixed by them")
    if trained["zmatrix"] != here["zmatrix"]:
        return "it uses another Z-matrix of this molecule (built by another version of openmmtsf)"
    return None


def check_model_fits(model: Union[str, Path, bytes], fingerprint: Dict[str, object], what: str = "model") -> None:
    """Refuse a model whose stored fingerprint is not ``fingerprint`` (molecule_fingerprint() of the molecule it is
    used for); warn, and accept, a model without one (exported by an older version: only its size is checked).

    Raises:
        MoleculeMismatchError: saying how the molecules differ.
    """
    trained = read_fingerprint(model)
    name = f"the {what}" + (f" {model}" if isinstance(model, (str, Path)) else "")
    if trained is None:
        warnings.warn(f"{name} records no molecule (exported by an older version of openmmtsf): only its number of "
                      f"internal coordinates can be checked against this molecule")
        return
    reason = mismatch(trained, fingerprint)
    if reason is not None:
        raise MoleculeMismatchError(f"{name} does not fit this molecule: {reason}")


def check_model_zmatrix(model: Union[str, Path, bytes], definition) -> None:
    """TSFForce's own check: refuse a model whose fingerprint records another Z-matrix (another molecule or atom
    order) than ``definition``. A model without a fingerprint passes (the plugin checks its size).

    Raises:
        MoleculeMismatchError: if the Z-matrices differ.
    """
    from .tsfplugin import serializeInternalCoordinates
    trained = read_fingerprint(model)
    if trained is not None and trained["zmatrix"] != serializeInternalCoordinates(definition):
        raise MoleculeMismatchError(
            f"the model{' ' + str(model) if isinstance(model, (str, Path)) else ''} was trained for another Z-matrix "
            f"than this one: another molecule, or the same molecule with its atoms in another order")



def create_tsf_force(model: Union[str, Path, bytes], topology: app.Topology, system: openmm.System):
    """A TSFForce of ``model`` (a path or bytes) for a molecule, with its Z-matrix built from the Topology and the
    System's constraints (internal_coordinates_from_topology()), after checking that the model was made for this
    molecule (check_model_fits()). The caller adds it to the System.

    Raises:
        MoleculeMismatchError: if the model was made for another molecule or atom order.
    """
    from .topology import internal_coordinates_from_topology
    from .tsfplugin import TSFForce
    definition = internal_coordinates_from_topology(topology, system)
    check_model_fits(model, molecule_fingerprint(topology, system, definition))
    return TSFForce(model if isinstance(model, (bytes, bytearray)) else str(model), definition)
