# SPDX-License-Identifier: MIT
"""dF(T) of a basin from tempering runs and replica-exchange MD references: a table, a CSV and a plot (the command
line's `analyze`, and the end of every `sample` run)."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from .collective_variables import Basin, CollectiveVariable, default_basin_text, parse_cv
from .free_energy import BasinFreeEnergies, basin_free_energies, combine_runs
from .run_files import write_atomically

LADDER_KEYS = ("temperatures", "ladder_energies", "ladder_cvs", "cv_definitions")
#: Whether each frame holds a cis amide, recorded by runs of this version ([F, R]).
CIS_KEY = "ladder_cis"


def load_ladder(path: Union[str, Path]) -> Dict[str, np.ndarray]:
    """The ladder series of a `sample` run folder (its ladder.npz) or of an .npz file from `remd` or `sample`.

    Raises:
        FileNotFoundError: if there is no such file.
        ValueError: if the file lacks the series (written by a version that recorded one temperature only).
    """
    path = Path(path)
    file = path / "ladder.npz" if path.is_dir() else path
    if not file.is_file():
        raise FileNotFoundError(f"No ladder series at {file}: give a `sample` run folder or an .npz file from `remd`")
    with np.load(file) as data:
        missing = [key for key in LADDER_KEYS if key not in data.files]
        if missing:
            raise ValueError(f"{file} has no {', '.join(missing)}: it was written by an older version; rerun it")
        return {key: data[key] for key in LADDER_KEYS + (CIS_KEY,) if key in data.files}


def ladder_variables(ladder: Dict[str, np.ndarray]) -> List[CollectiveVariable]:
    """The collective variables a ladder series records, in the order of its ladder_cvs' last axis."""
    return [parse_cv(str(definition)) for definition in ladder["cv_definitions"]]


def estimate(paths: Sequence[Union[str, Path]], grid: Sequence[float], basin: str,
             trans_only: bool = False) -> BasinFreeEnergies:
    """MBAR estimates of a basin (collective_variables.Basin, on the variables each run records) on a grid (kelvin)
    from each run, combined over independent runs (openmmtsf.free_energy); with ``trans_only``, of the Boltzmann
    distribution restricted to trans amides (MD at these temperatures never crosses the cis-trans barrier, while
    TSF's flow proposes cis amides).

    Raises:
        ValueError: if a run does not record the basin's variables, or, with ``trans_only``, its cis amides.
    """
    runs = []
    for path in paths:
        ladder = load_ladder(path)
        if trans_only and CIS_KEY not in ladder:
            raise ValueError(f"{path} has no record of cis amides (a molecule without peptide bonds): it cannot be "
                             f"restricted to trans amides")
        variables = ladder_variables(ladder)
        in_basin = Basin(basin, variables).contains(ladder["ladder_cvs"], [v.name for v in variables])
        included = ~ladder[CIS_KEY] if trans_only else None
        runs.append(basin_free_energies(ladder["temperatures"], ladder["ladder_energies"], in_basin, grid, included))
    return combine_runs(runs)


def temperature_grid(paths: Sequence[Union[str, Path]], points: int) -> np.ndarray:
    """A geometric grid over the first run's ladder, with every input's ladder temperatures inside it added."""
    ladders = [load_ladder(path)["temperatures"] for path in paths]
    low, high = float(np.min(ladders[0])), float(np.max(ladders[0]))
    inside = [t for ladder in ladders for t in ladder if low <= t <= high]
    return np.unique(np.round(np.concatenate([np.geomspace(low, high, points), inside]), 6))


def write_report(output: Path, sets: Dict[str, Tuple[BasinFreeEnergies, np.ndarray]], title: str,
                 basin: str) -> str:
    """Write free_energy.csv (every set on its grid), free_energy.png (dF(T), bands of one standard error) and
    free_energy.md (a table at each set's own ladder temperatures, with the differences between the first two sets
    in combined standard errors). ``sets``: label -> (estimates, the set's ladder temperatures). Returns the table."""
    rows = ["set,temperature_K,population,population_error,delta_f_kj_per_mol,delta_f_error_kj_per_mol"]
    for label, (estimates, _) in sets.items():
        rows += [f"{label},{t:.4f},{p:.6f},{dp:.6f},{f:.5f},{df:.5f}" for t, p, dp, f, df in
                 zip(estimates.temperatures, estimates.population, estimates.population_error, estimates.delta_f,
                     estimates.delta_f_error)]
    write_atomically(output / "free_energy.csv", ("\n".join(rows) + "\n").encode())
    _plot(output / "free_energy.png", sets, title, basin)
    table = _table(sets, title)
    write_atomically(output / "free_energy.md", (table + "\n").encode())
    return table


def _at(estimates: BasinFreeEnergies, temperature: float) -> int:
    return int(np.argmin(np.abs(estimates.temperatures - temperature)))


def _table(sets: Dict[str, Tuple[BasinFreeEnergies, np.ndarray]], title: str) -> str:
    labels = list(sets)
    lines = [f"# {title}", "", "| T (K) | " + " | ".join(f"{label}: population | {label}: ΔF (kJ/mol)"
                                                          for label in labels)
             + (" | ΔF difference (σ) |" if len(labels) > 1 else " |"),
             "|---" * (1 + 2 * len(labels) + (len(labels) > 1)) + "|"]
    ladder = sorted({float(t) for _, temperatures in sets.values() for t in temperatures})
    for temperature in ladder:
        cells, values = [f"{temperature:.1f}"], []
        for estimates, _ in sets.values():
            i = _at(estimates, temperature)
            if abs(estimates.temperatures[i] - temperature) > 1e-3:
                cells += ["", ""]
                continue
            cells += [f"{estimates.population[i]:.4f} ± {estimates.population_error[i]:.4f}",
                      f"{estimates.delta_f[i]:.2f} ± {estimates.delta_f_error[i]:.2f}"]
            values.append((estimates.delta_f[i], estimates.delta_f_error[i]))
        if len(labels) > 1:
            cells.append(f"{(values[0][0] - values[1][0]) / np.hypot(values[0][1], values[1][1]):+.2f}"
                         if len(values) >= 2 else "")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _plot(path: Path, sets: Dict[str, Tuple[BasinFreeEnergies, np.ndarray]], title: str, basin: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    figure, axis = plt.subplots(figsize=(6, 4))
    for label, (estimates, _) in sets.items():
        line, = axis.plot(estimates.temperatures, estimates.delta_f, label=label)
        axis.fill_between(estimates.temperatures, estimates.delta_f - estimates.delta_f_error,
                          estimates.delta_f + estimates.delta_f_error, color=line.get_color(), alpha=0.25)
    axis.set(xlabel="temperature (K)", ylabel=f"F({basin}) − F(rest) (kJ/mol)", title=title)
    axis.legend()
    figure.tight_layout()
    partial = path.with_name(path.name + ".partial.png")
    figure.savefig(partial, dpi=110)
    plt.close(figure)
    partial.replace(path)


def analyze(runs: Sequence[Path], references: Sequence[Path], output: Path, basin: Optional[str] = None,
            points: int = 31, trans_only: bool = False) -> str:
    """dF(T) of a basin (default: default_basin_text() of the first run's variables) from `sample` runs
    (independent runs combined) and replica-exchange MD references, written to ``output`` (write_report()), all
    restricted to trans amides if ``trans_only`` (estimate()). Returns the table."""
    basin = basin or default_basin_text([v.name for v in ladder_variables(load_ladder(runs[0]))])
    grid = temperature_grid(list(runs) + list(references), points)
    sets: Dict[str, Tuple[BasinFreeEnergies, np.ndarray]] = {}
    groups: List[Tuple[str, Sequence[Path]]] = [(f"TSF ({len(runs)} run{'s' * (len(runs) > 1)})", runs)]
    if references:
        groups.append((f"REMD ({len(references)} run{'s' * (len(references) > 1)})", references))
    for label, paths in groups:
        ladder_temperatures = np.unique(np.concatenate([load_ladder(p)["temperatures"] for p in paths]))
        sets[label] = (estimate(paths, grid, basin, trans_only), ladder_temperatures)
    output.mkdir(parents=True, exist_ok=True)
    title = f"free energy of {basin}, MBAR over the ladder" + (", trans amides" if trans_only else "")
    return write_report(output, sets, title, basin)
