# SPDX-License-Identifier: MIT
"""Analysis of tempering runs: populations with error bars, a summary of the integrator's statistics, and
Ramachandran plots."""
from __future__ import annotations

import contextlib
import io
import logging
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple

import numpy as np


def quiet_pymbar():
    """pymbar, imported without the banner and the warnings it prints on import."""
    with contextlib.redirect_stdout(io.StringIO()):
        logging.getLogger("pymbar").setLevel(logging.ERROR)
        import pymbar
        import pymbar.timeseries  # noqa: F401
    return pymbar


def mean_with_error(series: np.ndarray) -> Tuple[float, float]:
    """The mean of a correlated series and its standard error sqrt(var g / N), g the statistical inefficiency
    (pymbar); a constant series has error 0. One run's error bar on a rare event can be too small: compare
    independent runs."""
    series = np.asarray(series, dtype=float)
    if np.ptp(series) == 0.0:
        return float(series.mean()), 0.0
    inefficiency = quiet_pymbar().timeseries.statistical_inefficiency(series)
    return float(series.mean()), float(np.sqrt(series.var() * inefficiency / len(series)))


def summary(statistics: Dict[str, np.ndarray], temperatures: Sequence[float]) -> str:
    """A text summary: acceptance per replica and move type ("-" for a move type never attempted), exchange
    acceptance, round trips."""
    lines = ["replica  T (K)   random-walk acc.  prior acc.  out of range  non-finite"]
    for r, t in enumerate(temperatures):
        rates = [f"{statistics['accepted'][r, m] / statistics['attempted'][r, m]:.3f}"
                 if statistics["attempted"][r, m] > 0 else "-" for m in (0, 1)]
        lines.append(f"{r:>7} {t:>6.1f}   {rates[0]:>16}  {rates[1]:>10}  {statistics['out_of_range'][r]:>12}"
                     f"  {statistics['non_finite'][r]:>10}")
    attempted, accepted = statistics["exchanges_attempted"], statistics["exchanges_accepted"]
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = np.where(attempted > 0, accepted / np.maximum(attempted, 1), np.nan)
    lines.append("exchange acceptance (row, column = replica):")
    lines += ["  " + " ".join("   -  " if np.isnan(v) else f"{v:6.3f}" for v in row) for row in matrix]
    lines.append(f"round trips per walker: {statistics['round_trips'].tolist()} (total {int(statistics['round_trips'].sum())})")
    return "\n".join(lines)


def phi_psi_histogram(phi: np.ndarray, psi: np.ndarray, bins: int = 60) -> np.ndarray:
    """Counts [bins, bins] of (phi, psi) over [-pi, pi]^2, phi along the first axis."""
    counts, _, _ = np.histogram2d(phi, psi, bins=bins, range=[[-np.pi, np.pi], [-np.pi, np.pi]])
    return counts


def ramachandran(path: Path, panels: Dict[str, np.ndarray], title: Optional[str] = None, columns: int = 0) -> None:
    """(phi, psi) histograms (from phi_psi_histogram()), one panel per entry, ``columns`` per row (0: one row),
    saved as a PNG."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm
    columns = columns or len(panels)
    rows = -(-len(panels) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4.5 * columns, 4 * rows), squeeze=False)
    for axis in axes.flat[len(panels):]:
        axis.set_visible(False)
    for axis, (label, counts) in zip(axes.flat, panels.items()):
        axis.imshow(np.where(counts > 0, counts, np.nan).T, origin="lower", extent=(-np.pi, np.pi, -np.pi, np.pi),
                    norm=LogNorm(), cmap="viridis", aspect="auto")
        axis.set(title=label, xlabel="phi (rad)", ylabel="psi (rad)")
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
