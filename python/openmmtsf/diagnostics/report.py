# SPDX-License-Identifier: MIT
"""An Evaluation as tables: aligned plain text for the terminal, or markdown. Temperatures in kelvin, angles in
degrees, energies in kJ/mol."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import List

import numpy as np

from .evaluation import Evaluation, TemperatureEvaluation


@dataclass
class Table:
    """A titled table of text cells."""
    title: str
    header: List[str]
    rows: List[List[str]]


def _number(value: float, digits: int = 4) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _summary_table(evaluation: Evaluation) -> Table:
    repeats = int(evaluation.settings["repeats"])
    header = ["T (K)", "samples", "reverse ESS", "95% bootstrap"] + (["sets: median [min-max]"] if repeats > 1 else [])
    header += ["out of range", "prior acceptance"]
    rows = []
    for result in evaluation.temperatures:
        low, high = result.ess_interval
        interval = f"[{_number(low)}, {_number(high)}]" if evaluation.settings["bootstrap"] else "n/a"
        row = [f"{result.temperature_k:g}", str(result.samples), _number(result.reverse_ess), interval]
        if repeats > 1:
            ess = result.repeat_ess
            row.append(f"{np.median(ess):.4f} [{min(ess):.4f}-{max(ess):.4f}]")
        rows.append(row + [_number(result.out_of_range), _number(result.prior_acceptance)])
    return Table("Flow quality per temperature", header, rows)


def _heaviest_table(evaluation: Evaluation, result: TemperatureEvaluation) -> Table:
    title = (f"Heaviest weights at {result.temperature_k:g} K: the {len(result.heaviest_weights)} heaviest carry "
             f"{result.heaviest_weights.sum():.4f} of the weight")
    if evaluation.has_amides:
        title += f"; cis amides: {result.cis_share[0]:.5f} of the samples, {result.cis_share[1]:.5f} of the weight"
    title += (f"; flipped stereo torsions: {result.flipped_share[0]:.5f} of the samples, {result.flipped_share[1]:.5f} "
              f"of the weight")
    header = ["rank", "weight"] + [f"{name} (deg)" for name in evaluation.torsion_names]
    header += (["cis amide"] if evaluation.has_amides else []) + ["stereo flipped"]
    rows = []
    for rank, weight in enumerate(result.heaviest_weights):
        row = [str(rank + 1), f"{weight:.4f}"]
        row += [f"{angle:+.1f}" for angle in np.degrees(result.heaviest_torsions_rad[rank])]
        row += (["yes" if result.heaviest_cis[rank] else "no"] if evaluation.has_amides else [])
        rows.append(row + ["yes" if result.heaviest_flipped[rank] else "no"])
    return Table(title, header, rows)


def _estimates_table(evaluation: Evaluation) -> Table:
    repeats = int(evaluation.settings["repeats"])
    error = "standard error of the sets" if repeats > 1 else "spread of 10 batches / sqrt(10)"
    scope = "trans-amide samples" if evaluation.settings.get("trans_only") else "all samples"
    rows = [[f"{result.temperature_k:g}", name, _number(value), _number(spread)]
            for result in evaluation.temperatures for name, (value, spread) in result.estimates.items()]
    return Table(f"Importance-sampling estimates ({scope}; error: {error})", ["T (K)", "estimate", "value", "error"],
                 rows)


def tables(evaluation: Evaluation) -> List[Table]:
    """The report's tables: the summary per temperature, the heaviest weights at each temperature, and the
    importance-sampling estimates."""
    return ([_summary_table(evaluation)] + [_heaviest_table(evaluation, r) for r in evaluation.temperatures]
            + [_estimates_table(evaluation)])


def _heading(evaluation: Evaluation) -> str:
    settings = evaluation.settings
    return (f"{Path(evaluation.model).name} on {Path(evaluation.pdb).name or 'the molecule'}: {settings['repeats']} "
            f"set(s) of {settings['samples']} direct samples per temperature (seeds from {settings['seed']}), "
            f"{settings['bootstrap']} bootstrap resamples, {settings['prior_steps']} prior moves per temperature "
            f"({settings['platform']})")


def report_text(evaluation: Evaluation) -> str:
    """The report as aligned plain text."""
    lines = [_heading(evaluation)]
    for table in tables(evaluation):
        widths = [max(len(cell) for cell in column) for column in zip(table.header, *table.rows)]
        lines += ["", table.title]
        lines += ["  ".join(cell.rjust(width) for cell, width in zip(row, widths))
                  for row in [table.header] + table.rows]
    return "\n".join(lines)


def report_markdown(evaluation: Evaluation) -> str:
    """The report as markdown: a heading, then each table under its title."""
    lines = [f"# Flow evaluation: {Path(evaluation.model).name}", "", _heading(evaluation) + "."]
    for table in tables(evaluation):
        lines += ["", f"**{table.title}**", "", "| " + " | ".join(table.header) + " |",
                  "|" + "|".join("---:" for _ in table.header) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in table.rows]
    return "\n".join(lines) + "\n"
