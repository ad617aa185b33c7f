# SPDX-License-Identifier: MIT
"""The acceptance of a flow's prior (independence) moves in TSFIntegrator, per temperature."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Callable, Iterable, Sequence, Union

import numpy as np
import openmm

from ..fingerprint import create_tsf_force
from ..molecule import Molecule
from ..tsfplugin import TSFIntegrator

#: Prior moves run this many steps at a time (for the progress bar).
_CHUNK = 100


def prior_acceptance(model: Union[str, Path], molecule: Molecule, temperatures_k: Sequence[float], steps: int,
                     seed: int, platform: str = "Reference",
                     progress: Callable[[Iterable], Iterable] = iter) -> np.ndarray:
    """The share of accepted prior moves at each temperature (kelvin): a TSFIntegrator with one replica per
    temperature, prior moves only (probability 1) and no exchanges, from the molecule's starting positions, run for
    ``steps`` steps (one prior move per replica and step) with the random seed ``seed``. The molecule's System is
    not changed (the TSFForce goes into a copy).

    Returns:
        [len(temperatures_k)] in [0, 1] (NaN where no move was attempted, i.e. ``steps`` = 0).

    Raises:
        MoleculeMismatchError: if the model was made for another molecule (create_tsf_force()).
    """
    system = copy.deepcopy(molecule.system)
    system.addForce(create_tsf_force(model, molecule.topology, system))
    integrator = TSFIntegrator([float(t) for t in temperatures_k])
    integrator.setPriorMoveProbability(1.0)
    integrator.setExchangeInterval(0)
    integrator.setRandomNumberSeed(seed)
    context = openmm.Context(system, integrator, openmm.Platform.getPlatformByName(platform))
    context.setPositions(molecule.positions)
    for start in progress(range(0, steps, _CHUNK)):
        integrator.step(min(_CHUNK, steps - start))
    statistics = integrator.getStatistics()
    accepted = np.asarray(statistics["accepted"][:, TSFIntegrator.PriorMove], dtype=float)
    attempted = np.asarray(statistics["attempted"][:, TSFIntegrator.PriorMove], dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(attempted > 0, accepted / np.maximum(attempted, 1), np.nan)
