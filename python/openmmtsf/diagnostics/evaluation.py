# SPDX-License-Identifier: MIT
"""How close a trained flow is to its molecule's Boltzmann distribution, per temperature: reverse ESS with a
bootstrap interval, prior-move acceptance, the share out of range, the heaviest weights, and importance-sampling
estimates (the modules of this package, put together)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Sequence, Tuple, Union

import numpy as np
import openmm
import torch
from tqdm import tqdm

from ..fingerprint import MoleculeMismatchError, check_model_fits, molecule_fingerprint
from ..molecule import Molecule
from ..topology import internal_coordinates_from_topology
from ..train import BoltzmannEnergy
from ..tsfplugin import InternalCoordinateTransform
from .acceptance import prior_acceptance
from .estimates import importance_estimates
from .observables import Observables
from .samples import DirectSampler, draw_repeats
from .weights import heaviest_samples, normalised_weights, reverse_ess, reverse_ess_interval


@dataclass
class TemperatureEvaluation:
    """The diagnostics at one temperature. ESS values are in [0, 1]; ``heaviest_*`` list the heaviest samples,
    heaviest first: their normalised weights, backbone torsions (radians, columns ``torsion_names``), and whether
    they hold a cis amide or a flipped stereo torsion; ``estimates``: importance_estimates() (name -> (value,
    error))."""
    temperature_k: float
    samples: int
    reverse_ess: float
    ess_interval: Tuple[float, float]
    repeat_ess: List[float]
    out_of_range: float
    prior_acceptance: float
    heaviest_weights: np.ndarray
    heaviest_torsions_rad: np.ndarray
    heaviest_cis: np.ndarray
    heaviest_flipped: np.ndarray
    cis_share: Tuple[float, float]
    flipped_share: Tuple[float, float]
    estimates: Dict[str, Tuple[float, float]] = field(default_factory=dict)


@dataclass
class Evaluation:
    """A model's diagnostics at every temperature, with the settings that made them."""
    model: str
    pdb: str
    settings: Dict[str, object]
    torsion_names: List[str]
    has_amides: bool
    temperatures: List[TemperatureEvaluation]


def check_flow_size(flow: torch.jit.ScriptModule, definition, model: Union[str, Path]) -> None:
    """Refuse a flow whose number of internal coordinates is not the molecule's, before any sample or step.

    Raises:
        MoleculeMismatchError: naming both sizes.
    """
    size = int(definition.getNumInternalCoordinates())
    if int(flow.n_dims) != size:
        raise MoleculeMismatchError(f"the model {model} does not fit this molecule: it has {int(flow.n_dims)} internal "
                                    f"coordinates, this molecule {size} (a model for another molecule)")


def _shares(mask: np.ndarray, weights: np.ndarray) -> Tuple[float, float]:
    """(share of the samples, share of the normalised weight) of the samples in ``mask``."""
    return float(mask.mean()), float(weights[mask].sum())


def evaluate_model(model: Union[str, Path], molecule: Molecule, temperatures_k: Sequence[float], samples: int = 20000,
                   repeats: int = 1, bootstrap: int = 1000, prior_steps: int = 2000, seed: int = 1, top: int = 10,
                   platform: str = "Reference", trans_only: bool = False, progress: bool = True,
                   pdb: str = "") -> Evaluation:
    """The diagnostics of a trained flow (a TorchScript file) for a molecule at each temperature (kelvin).

    At each temperature, ``repeats`` independent sets of ``samples`` direct samples (seeds seed, seed + 1, ...)
    give the reverse ESS of all of them with a ``bootstrap``-resample 95% interval (weights.reverse_ess_interval(),
    seed ``seed``), each set's ESS, the share out of range, the ``top`` heaviest normalised weights and the
    importance-sampling estimates (estimates.importance_estimates()). The prior-move acceptance comes from
    ``prior_steps`` TSFIntegrator steps over all temperatures at once (acceptance.prior_acceptance(), seed ``seed``).
    Energies and prior moves run on the OpenMM ``platform``.

    Raises:
        ValueError: for a non-positive temperature, sample or repeat count, or negative steps or resamples.
        MoleculeMismatchError: if the model was made for another molecule, before any sample or step.
    """
    temperatures_k = [float(t) for t in temperatures_k]
    if not temperatures_k or min(temperatures_k) <= 0:
        raise ValueError(f"temperatures must be positive kelvin, not {temperatures_k}")
    if samples < 1 or repeats < 1 or bootstrap < 0 or prior_steps < 0 or top < 0:
        raise ValueError("need samples >= 1, repeats >= 1, bootstrap >= 0, prior steps >= 0 and top >= 0")
    definition = internal_coordinates_from_topology(molecule.topology, molecule.system)
    check_model_fits(model, molecule_fingerprint(molecule.topology, molecule.system, definition))
    flow = torch.jit.load(str(model))
    check_flow_size(flow, definition, model)
    transform = InternalCoordinateTransform(definition, openmm.Platform.getPlatformByName("Reference"))
    particles = np.array(definition.getParticles())
    reference_ics, _ = transform.forward(molecule.positions[None, particles])
    observables = Observables(molecule.topology, definition, reference_ics[0])
    sampler = DirectSampler(flow, BoltzmannEnergy(molecule.system, transform, molecule.positions, temperatures_k[0],
                                                  platform=platform))
    acceptance = prior_acceptance(model, molecule, temperatures_k, prior_steps, seed, platform,
                                  lambda steps: tqdm(steps, desc="prior moves", leave=False, disable=not progress))
    results = []
    for temperature, accepted in zip(temperatures_k, acceptance):
        with tqdm(total=samples * repeats, desc=f"samples at {temperature:g} K", unit="sample", leave=False,
                  disable=not progress) as bar:
            drawn = draw_repeats(sampler, temperature, samples, repeats, seed, observables, bar)
        indices, weights = heaviest_samples(drawn.log_weights, top)
        normalised = normalised_weights(drawn.log_weights)
        results.append(TemperatureEvaluation(
            temperature_k=temperature, samples=len(drawn.log_weights), reverse_ess=reverse_ess(drawn.log_weights),
            ess_interval=reverse_ess_interval(drawn.log_weights, bootstrap, seed=seed),
            repeat_ess=[reverse_ess(drawn.log_weights[drawn.repeat == r]) for r in range(repeats)],
            out_of_range=float(1.0 - drawn.inside.mean()), prior_acceptance=float(accepted),
            heaviest_weights=weights, heaviest_torsions_rad=drawn.observables["torsions_rad"][indices],
            heaviest_cis=drawn.observables["cis_amide"][indices],
            heaviest_flipped=drawn.observables["stereo_flipped"][indices],
            cis_share=_shares(drawn.observables["cis_amide"], normalised),
            flipped_share=_shares(drawn.observables["stereo_flipped"], normalised),
            estimates=importance_estimates(drawn, observables.torsion_names, trans_only)))
    settings = {"samples": samples, "repeats": repeats, "bootstrap": bootstrap, "prior_steps": prior_steps,
                "seed": seed, "platform": platform, "trans_only": trans_only}
    return Evaluation(str(model), pdb, settings, observables.torsion_names, observables.has_amides, results)
