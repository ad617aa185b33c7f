# SPDX-License-Identifier: MIT
"""Stage 5 of a fit: how good the current flow is, on fresh samples: reverse ESS with a bootstrap interval at a few
temperatures, prior-move acceptance over the ladder, and a count of mirror-image alpha carbons among the samples."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, Sequence

import numpy as np
import torch
from tqdm import tqdm

from ..chirality import alpha_carbon_centres, chirality_signs
from ..diagnostics.acceptance import prior_acceptance
from ..diagnostics.samples import DirectSampler
from ..diagnostics.weights import reverse_ess, reverse_ess_interval
from ..molecule import Molecule
from ..train import BoltzmannEnergy


def measure_flow(model: Path, molecule: Molecule, energy: BoltzmannEnergy, ess_temperatures: Sequence[float],
                 ladder: Sequence[float], samples: int, bootstrap: int, prior_steps: int, seed: int
                 ) -> Dict[str, object]:
    """The round record of a flow (a TorchScript file): ``ess`` {kelvin: [ESS, low, high]} from ``samples`` direct
    samples per temperature, ``acceptance`` {kelvin: share of accepted prior moves} from ``prior_steps`` steps over
    the ``ladder``, ``mirror_images`` (samples, at any temperature, whose alpha carbons are not the molecule's), and
    ``energies``, the evaluations it took."""
    sampler = DirectSampler(torch.jit.load(str(model)), energy)
    centres = alpha_carbon_centres(molecule.topology)
    reference = chirality_signs(molecule.positions[None], centres)
    mirror = []

    def observe(ics, positions, inside):
        flipped = np.any(chirality_signs(positions, centres) != reference, axis=1) & inside
        mirror.append(int(flipped.sum()))
        return {}

    ess = {}
    for temperature in ess_temperatures:
        with tqdm(total=samples, desc=f"measure {temperature:.0f} K", unit="sample", leave=False) as bar:
            log_weights, _, _ = sampler.draw(temperature, samples, seed, observe, bar)
        low, high = reverse_ess_interval(log_weights, bootstrap, seed=seed)
        ess[f"{temperature:g}"] = [reverse_ess(log_weights), low, high]
    acceptance = prior_acceptance(model, molecule, ladder, prior_steps, seed)
    return {"ess": ess, "acceptance": {f"{t:g}": float(a) for t, a in zip(ladder, acceptance)},
            "mirror_images": int(sum(mirror)),
            "energies": samples * len(ess_temperatures) + prior_steps * len(ladder)}


def score(record: Dict[str, object]) -> float:
    """What a fit maximises: the smallest reverse ESS over the measured temperatures."""
    return min(values[0] for values in record["ess"].values())
