# SPDX-License-Identifier: MIT
"""Self-normalised importance-sampling estimates from a flow's direct samples: <U> and, for every residue with a
backbone phi and psi, the population of each Ramachandran region (collective_variables.ramachandran_regions()) and
<U> within it. They share TSF's target density but none of its Markov chain (no random-walk, prior or exchange
moves), which tells a sampler's error from a target's; they are valid wherever the flow covers the target.

Error bars: with several independent sets of samples (repeats), the value is the mean of the sets' estimates and
the error the standard error of their spread (a set's own error bar is unreliable when the weights are
heavy-tailed); with one set, the value is that set's estimate and the error the spread of ten batches of it over
sqrt(10).
"""
from __future__ import annotations

import math
from typing import Dict, List, Optional, Tuple

import numpy as np

from ..collective_variables import ramachandran_regions
from .observables import residue_pairs
from .samples import WeightedSamples
from .weights import normalised_weights

#: Batches of a single set of samples whose spread gives the error bar.
SINGLE_SET_BATCHES = 10


def _groups(samples: WeightedSamples) -> Tuple[List[np.ndarray], bool]:
    """(index arrays of the groups whose spread gives the error, whether the value is their mean)."""
    repeats = np.unique(samples.repeat)
    if len(repeats) > 1:
        return [np.flatnonzero(samples.repeat == r) for r in repeats], True
    return np.array_split(np.arange(len(samples.log_weights)), SINGLE_SET_BATCHES), False


def _ratio(log_weights: np.ndarray, values: np.ndarray, mask: Optional[np.ndarray] = None) -> float:
    """sum(w f) / sum(w) over the samples in ``mask`` (NaN if their weight is 0)."""
    if mask is not None:
        log_weights = np.where(mask, log_weights, -np.inf)
    weights = normalised_weights(log_weights)
    total = weights.sum()
    return float((weights * values).sum() / total) if total > 0 else math.nan


def _estimate(log_weights: np.ndarray, values: np.ndarray, mask: Optional[np.ndarray], groups: List[np.ndarray],
              mean_of_groups: bool) -> Tuple[float, float]:
    per_group = np.array([_ratio(log_weights[g], values[g], None if mask is None else mask[g]) for g in groups])
    finite = per_group[np.isfinite(per_group)]
    error = float(np.std(finite, ddof=1) / math.sqrt(len(finite))) if len(finite) > 1 else math.nan
    if mean_of_groups:
        return (float(finite.mean()) if len(finite) else math.nan), error
    return _ratio(log_weights, values, mask), error


def importance_estimates(samples: WeightedSamples, torsion_names: List[str],
                         trans_only: bool = False) -> Dict[str, Tuple[float, float]]:
    """Estimates with their errors, by name: ``<U> (kJ/mol)``; for each residue i with phi<i> and psi<i> among
    ``torsion_names`` (the columns of the samples' ``torsions_rad``), ``<region> i`` (the region's population) and
    ``<U> <region> i (kJ/mol)``. With ``trans_only``, samples holding a cis amide get weight 0: the target restricted
    to trans amides, as MD at ordinary temperatures samples it."""
    log_weights = samples.log_weights
    if trans_only:
        log_weights = np.where(samples.observables["cis_amide"], -np.inf, log_weights)
    energies = np.where(samples.inside, samples.energies_kj_per_mol, 0.0)
    groups, mean_of_groups = _groups(samples)
    results = {"<U> (kJ/mol)": _estimate(log_weights, energies, None, groups, mean_of_groups)}
    torsions = samples.observables["torsions_rad"]
    for residue, (phi, psi) in residue_pairs(torsion_names).items():
        with np.errstate(invalid="ignore"):
            regions = ramachandran_regions(torsions[:, phi], torsions[:, psi])
        for region, mask in regions.items():
            results[f"{region} {residue}"] = _estimate(log_weights, mask.astype(float), None, groups, mean_of_groups)
        for region, mask in regions.items():
            results[f"<U> {region} {residue} (kJ/mol)"] = _estimate(log_weights, energies, mask, groups, mean_of_groups)
    return results
