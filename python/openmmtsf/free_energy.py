# SPDX-License-Identifier: MIT
"""Temperature-dependent basin populations and free energies from every temperature of a tempering run, by MBAR.

A tempering run (TSFIntegrator's replicas, or replica-exchange MD) samples the Boltzmann distribution at each
temperature of its ladder. MBAR (pymbar) combines all of them into estimates at any temperature between: here the
population p of a basin (openmmtsf.collective_variables.Basin) and the free energy of the basin relative to the
rest of configuration space, dF = -kT ln(p / (1 - p)).

The input is the ladder's time series: potential energies U [F, R] (kJ/mol, column r at temperatures[r]) and
whether each frame is in the basin [F, R]. Each column is cut to uncorrelated samples with the statistical
inefficiency (pymbar) of its energy and of its basin indicator, whichever is larger, before MBAR sees it. A single run's MBAR error bars rest on
that decorrelation; errors from the spread of independent runs (combine_runs()) do not.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence

import numpy as np

from .analysis import quiet_pymbar
from .units import BOLTZMANN_KJ_PER_MOL_K


@dataclass
class BasinFreeEnergies:
    """A basin's populations and dF(basin vs the rest) with standard errors, on a grid of temperatures."""
    #: kelvin [L]
    temperatures: np.ndarray
    #: the basin's population [L] and its standard error [L]
    population: np.ndarray
    population_error: np.ndarray
    #: F(basin) - F(rest) in kJ/mol [L] and its standard error [L]
    delta_f: np.ndarray
    delta_f_error: np.ndarray

    @staticmethod
    def from_population(temperatures: np.ndarray, population: np.ndarray, error: np.ndarray) -> "BasinFreeEnergies":
        """dF = -kT ln(p / (1 - p)), its error by first-order propagation: kT dp / (p (1 - p))."""
        kt = BOLTZMANN_KJ_PER_MOL_K * np.asarray(temperatures, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):  # a basin never visited: dF = +-inf
            delta_f = -kt * np.log(population / (1.0 - population))
            delta_f_error = kt * error / (population * (1.0 - population))
        return BasinFreeEnergies(np.asarray(temperatures, dtype=float), population, error, delta_f, delta_f_error)


def decorrelated_indices(energies: np.ndarray, indicator: np.ndarray) -> np.ndarray:
    """Indices of uncorrelated samples of one temperature's series: every g-th frame, g the larger statistical
    inefficiency (pymbar) of the energies and of the indicator."""
    timeseries = quiet_pymbar().timeseries
    inefficiency = 1.0
    for series in (np.asarray(energies, dtype=float), np.asarray(indicator, dtype=float)):
        if np.ptp(series) > 0.0:  # a constant series is uncorrelated (pymbar refuses it)
            inefficiency = max(inefficiency, timeseries.statistical_inefficiency(series))
    return np.asarray(timeseries.subsample_correlated_data(energies, g=inefficiency), dtype=int)


def basin_free_energies(temperatures: Sequence[float], energies: np.ndarray, in_basin: np.ndarray,
                        grid: Sequence[float], included: Optional[np.ndarray] = None) -> BasinFreeEnergies:
    """MBAR estimates at the ``grid`` temperatures (kelvin) from a ladder's series: ``energies`` [F, R] in kJ/mol and
    ``in_basin`` [F, R] (bool), column r sampled at ``temperatures[r]`` (kelvin).

    ``included`` [F, R] (bool) restricts the estimates to a region of configuration space, for example trans amides:
    the frames inside it sample the Boltzmann distribution restricted to it at each temperature, which is all MBAR
    needs. Frames are cut to uncorrelated ones first, over the whole series, then to the region.

    Raises:
        ValueError: if the shapes disagree, a temperature is not positive and finite, one basin has no sample, or
            MBAR fails on the samples.
    """
    temperatures = np.asarray(temperatures, dtype=float)
    energies, in_basin = np.asarray(energies, dtype=float), np.asarray(in_basin, dtype=bool)
    grid = np.asarray(grid, dtype=float)
    if energies.ndim != 2 or energies.shape != in_basin.shape or energies.shape[1] != len(temperatures):
        raise ValueError(f"energies {energies.shape} and in_basin {in_basin.shape} must both be "
                         f"[frames, {len(temperatures)}]")
    included = np.ones(energies.shape, dtype=bool) if included is None else np.asarray(included, dtype=bool)
    if included.shape != energies.shape:
        raise ValueError(f"included {included.shape} must be [frames, {len(temperatures)}] like the energies")
    for name, values in (("temperatures", temperatures), ("grid", grid)):
        if not np.all(np.isfinite(values) & (values > 0)):
            raise ValueError(f"{name} must be positive and finite, not {values.tolist()}")
    kept: List[np.ndarray] = []
    for r in range(len(temperatures)):
        indices = decorrelated_indices(energies[:, r], in_basin[:, r])
        kept.append(indices[included[indices, r]])
    u_n = np.concatenate([energies[indices, r] for r, indices in enumerate(kept)])
    inside_n = np.concatenate([in_basin[indices, r] for r, indices in enumerate(kept)]).astype(float)
    if not 0.0 < inside_n.mean() < 1.0:
        raise ValueError(f"{'nothing outside' if inside_n.mean() else 'nothing inside'} the basin was sampled: its "
                         f"free energy cannot be estimated from this run")
    counts = np.array([len(indices) for indices in kept])
    beta = 1.0 / (BOLTZMANN_KJ_PER_MOL_K * temperatures)
    grid_beta = 1.0 / (BOLTZMANN_KJ_PER_MOL_K * grid)
    pymbar = quiet_pymbar()
    try:
        mbar = pymbar.MBAR(beta[:, None] * u_n[None, :], counts)
        with np.errstate(divide="ignore"):  # pymbar takes the log of the indicator's zeros
            result = mbar.compute_expectations(inside_n, u_kn=grid_beta[:, None] * u_n[None, :])
    except (pymbar.utils.ParameterError, np.linalg.LinAlgError) as error:
        raise ValueError(f"MBAR failed on this run's samples: {error}") from error
    return BasinFreeEnergies.from_population(grid, np.asarray(result["mu"]), np.asarray(result["sigma"]))


def combine_runs(runs: Sequence[BasinFreeEnergies]) -> BasinFreeEnergies:
    """The mean of independent runs' estimates on one grid, with the standard error from their spread
    (std / sqrt(n)); a single run keeps its own MBAR errors. dF is averaged as dF, not recomputed."""
    if not runs:
        raise ValueError("no run to combine")
    if len(runs) == 1:
        return runs[0]
    grid = runs[0].temperatures
    if any(not np.array_equal(run.temperatures, grid) for run in runs):
        raise ValueError("the runs must be evaluated on the same temperature grid")

    def mean_and_error(values: np.ndarray):
        return values.mean(axis=0), values.std(axis=0, ddof=1) / np.sqrt(len(values))

    population, population_error = mean_and_error(np.array([run.population for run in runs]))
    delta_f, delta_f_error = mean_and_error(np.array([run.delta_f for run in runs]))
    return BasinFreeEnergies(grid, population, population_error, delta_f, delta_f_error)
