# SPDX-License-Identifier: MIT
"""The flow a fit trains, built once from the seed data and rebuilt identically when the fit resumes."""
from __future__ import annotations

from pathlib import Path
from typing import Dict

import numpy as np
import torch

from ..flows import SplineFlow
from ..stereo import one_sided_torsions, relative_torsion_values, sibling_torsions, stereo_torsions
from .config import FitConfig


def design_flow(definition, ics: np.ndarray, config: FitConfig) -> Dict[str, object]:
    """The constructor arguments of the fit's temperature-conditioned SplineFlow for training ICs [F, n]:
    bond and angle Gaussians from the data; the torsions of stereocentres and methyl hydrogens confined to their
    sign (stereo.stereo_torsions()); and each atom placed about the same bond as an earlier one (CB beside C at an
    alpha carbon) modelled relative to it, confined where the data keep the difference on one side (its
    chirality), so that the flow never proposes a mirror image."""
    pairs = sibling_torsions(definition)
    relative = [torsion for torsion, _ in pairs]
    relative_ics = relative_torsion_values(ics, pairs)
    confined = [index for index in stereo_torsions(definition, ics) if index not in relative]
    confined += one_sided_torsions(relative_ics, relative)
    center, scale = SplineFlow.moments_from_data(torch.from_numpy(relative_ics))
    return {"center": center, "scale": scale, "num_bonds": definition.getNumBonds(),
            "num_angles": definition.getNumAngles(), "training_temperature": config.t_max,
            "temperature_conditioned": True, "layers": config.layers, "bins": config.bins, "hidden": config.hidden,
            "confined_torsions": sorted(confined), "relative_torsions": pairs}


def save_atomically(value: object, path: Path) -> None:
    """torch.save() through a temporary file and a rename: a flow design or a flow's parameters."""
    partial = path.with_name(path.name + ".partial")
    torch.save(value, partial)
    partial.replace(path)


def build_designed_flow(path: Path, seed: int) -> SplineFlow:
    """The flow of a saved design, with its initial weights from ``seed``."""
    torch.manual_seed(seed)
    return SplineFlow(**torch.load(path))
