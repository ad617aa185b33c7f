# SPDX-License-Identifier: MIT
"""Importance weights of direct flow samples: the reverse effective sample size, its bootstrap interval, and the
heaviest samples.

Reverse ESS = (sum w)^2 / (N sum w^2) over all N samples (a sample out of range has w = 0), in [0, 1]: 1 for a flow
that is the Boltzmann distribution, about 1/N when one sample carries all the weight.
"""
from __future__ import annotations

import inspect
from typing import Tuple

import numpy as np
from scipy import stats

#: Bootstrap resamples are computed this many weights at a time (memory: 8 bytes each).
_BOOTSTRAP_BATCH_ELEMENTS = 10_000_000
#: scipy.stats.bootstrap's seed argument: ``rng`` from SciPy 1.15, ``random_state`` before.
_SEED_ARGUMENT = "rng" if "rng" in inspect.signature(stats.bootstrap).parameters else "random_state"


def normalised_weights(log_weights: np.ndarray) -> np.ndarray:
    """Weights summing to 1 from log weights (-inf: weight 0); all 0 if no weight is finite."""
    log_weights = np.asarray(log_weights, dtype=float)
    finite = np.isfinite(log_weights)
    weights = np.zeros(len(log_weights))
    if finite.any():
        weights[finite] = np.exp(log_weights[finite] - log_weights[finite].max())
        weights /= weights.sum()
    return weights


def _ess(weights: np.ndarray, axis: int = -1) -> np.ndarray:
    """Reverse ESS of weights along an axis (0 where every weight is 0)."""
    total = weights.sum(axis=axis)
    squares = (weights ** 2).sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(squares > 0, total ** 2 / (weights.shape[axis] * squares), 0.0)


def reverse_ess(log_weights: np.ndarray) -> float:
    """The reverse effective sample size, in [0, 1], of samples with these log weights (-inf: weight 0)."""
    if len(log_weights) == 0:
        return 0.0
    return float(_ess(normalised_weights(log_weights)))


def reverse_ess_interval(log_weights: np.ndarray, resamples: int = 1000, confidence: float = 0.95,
                         seed: int = 0) -> Tuple[float, float]:
    """A percentile bootstrap interval of the reverse ESS (scipy.stats.bootstrap).

    What is resampled: the N samples' weights, drawn N at a time with replacement (samples out of range included,
    with weight 0); the ESS of each resample gives the bootstrap distribution. The interval reflects how much the
    ESS depends on the samples in hand. With heavy-tailed weights it cannot see the rare samples that no set drew,
    so it is too narrow then: compare independent sets (``repeats``) as well.

    Returns:
        (low, high), or (ESS, ESS) for fewer than two samples or no resamples; (0, 0) if every weight is 0.
    """
    weights = normalised_weights(log_weights)
    point = float(_ess(weights)) if len(weights) else 0.0
    if len(weights) < 2 or resamples < 1 or not weights.any():
        return point, point
    result = stats.bootstrap((weights,), _ess, n_resamples=resamples, vectorized=True, method="percentile",
                             confidence_level=confidence, batch=max(1, _BOOTSTRAP_BATCH_ELEMENTS // len(weights)),
                             **{_SEED_ARGUMENT: np.random.default_rng(seed)})
    low, high = result.confidence_interval
    return float(low), float(high)


def heaviest_samples(log_weights: np.ndarray, count: int) -> Tuple[np.ndarray, np.ndarray]:
    """(indices, normalised weights) of the ``count`` heaviest samples, heaviest first."""
    weights = normalised_weights(log_weights)
    order = np.argsort(-weights, kind="stable")[:count]
    return order, weights[order]
