# SPDX-License-Identifier: MIT
"""The report of a fit: a Markdown page with every round's measures and what the fit spent, a plot of reverse ESS
and prior acceptance per temperature round by round, and the loss curves."""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Dict, List

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ..run_files import write_atomically  # noqa: E402
from .config import FitConfig  # noqa: E402
from .ledger import Ledger  # noqa: E402


def _save_figure(figure, path: Path) -> None:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    write_atomically(path, buffer.getvalue())


def _log_column(path: Path, column: str) -> List[float]:
    if not path.is_file():
        return []
    with open(path, newline="") as handle:
        return [float(row[column]) for row in csv.DictReader(handle)]


def _plot_rounds(rounds: List[Dict[str, object]], path: Path) -> None:
    figure, (ess_axis, acceptance_axis) = plt.subplots(1, 2, figsize=(10, 4))
    indices = [record["round"] for record in rounds]
    for temperature in rounds[0]["ess"]:
        ess_axis.plot(indices, [record["ess"][temperature][0] for record in rounds], "o-",
                      label=f"{float(temperature):.0f} K")
    for temperature in rounds[0]["acceptance"]:
        acceptance_axis.plot(indices, [record["acceptance"][temperature] for record in rounds], "o-",
                             label=f"{float(temperature):.0f} K")
    ess_axis.set(xlabel="round", ylabel="reverse ESS", ylim=(0, 1))
    acceptance_axis.set(xlabel="round", ylabel="prior-move acceptance", ylim=(0, 1))
    ess_axis.legend()
    acceptance_axis.legend(fontsize="small")
    figure.tight_layout()
    _save_figure(figure, path)


def _plot_losses(work: Path, rounds: int, path: Path) -> None:
    figure, (ml_axis, refine_axis) = plt.subplots(1, 2, figsize=(10, 4))
    ml_axis.plot(_log_column(work / "ml.log.csv", "ml"), lw=0.5, label="seed MD")
    offset = len(_log_column(work / "ml.log.csv", "ml"))
    start = 0
    for r in range(1, rounds):
        retrain = _log_column(work / f"retrain-{r}.log.csv", "ml")
        ml_axis.plot(range(offset, offset + len(retrain)), retrain, lw=0.5, label=f"round {r}")
        offset += len(retrain)
        ess = _log_column(work / f"refine-{r}.log.csv", "ess")
        refine_axis.plot(range(start, start + len(ess)), ess, lw=0.5, label=f"round {r}")
        start += len(ess)
    ml_axis.set(xlabel="iteration", ylabel="negative log-likelihood", title="maximum likelihood")
    refine_axis.set(xlabel="iteration", ylabel="batch ESS", title="chi-square refinement", ylim=(0, 1))
    ml_axis.legend(fontsize="small")
    if rounds > 1:
        refine_axis.legend(fontsize="small")
    figure.tight_layout()
    _save_figure(figure, path)


def write_report(ledger: Ledger, best: int, config: FitConfig, work: Path, output: Path) -> Path:
    """Write ``<output>.md``, ``<output>.rounds.png`` and ``<output>.losses.png``; returns the Markdown file."""
    rounds = ledger.rounds
    temperatures = list(rounds[0]["ess"])
    ladder = list(rounds[0]["acceptance"])
    lines = [f"# fit: {output.name}", "",
             f"Temperature-conditioned spline flow for {config.t_min:g}-{config.t_max:g} K, from the System alone. "
             f"The model is round {best}'s, the best score (smallest reverse ESS over "
             f"{', '.join(f'{float(t):.0f}' for t in temperatures)} K). "
             f"Stopped: {ledger.stopped}.", "",
             f"Spent: {ledger.elapsed_s / 60:.1f} minutes of wall time, {ledger.cpu_s / 60:.1f} CPU-minutes, "
             f"{ledger.energies:,} energy evaluations.", "",
             "Reverse ESS (95% bootstrap interval) from "
             f"{config.measure_samples} direct samples per temperature, and prior-move acceptance from "
             f"{config.measure_prior_steps} steps per ladder temperature:", "",
             "| round | minutes | energies | " + " | ".join(f"ESS {float(t):.0f} K" for t in temperatures) + " | "
             + " | ".join(f"acc. {float(t):.0f} K" for t in ladder) + " | mirror images |",
             "|---" * (4 + len(temperatures) + len(ladder)) + "|"]
    for record in rounds:
        ess = " | ".join(f"{v:.3f} ({lo:.3f}-{hi:.3f})" for v, lo, hi in record["ess"].values())
        acceptance = " | ".join(f"{a:.3f}" for a in record["acceptance"].values())
        lines.append(f"| {record['round']} | {record['elapsed_s'] / 60:.1f} | {record['energies_so_far']:,} | {ess} | "
                     f"{acceptance} | {record['mirror_images']} |")
    lines += ["", f"![reverse ESS and acceptance by round]({output.name}.rounds.png)", "",
              f"![losses]({output.name}.losses.png)", "",
              "Minutes and energies are totals at the end of each round's measure. Round 0 is the flow trained on the "
              "seed MD alone."]
    _plot_rounds(rounds, output.with_name(output.name + ".rounds.png"))
    _plot_losses(work, len(rounds), output.with_name(output.name + ".losses.png"))
    report = output.with_name(output.name + ".md")
    write_atomically(report, ("\n".join(lines) + "\n").encode())
    return report
