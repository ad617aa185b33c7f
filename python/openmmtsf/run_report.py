# SPDX-License-Identifier: MIT
"""The report a tempering run ends with: the integrator's statistics, every residue's Ramachandran populations and
the basin's population at the lowest temperature, each with an error bar, next to a reference, and Ramachandran
plots."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import mdtraj
import numpy as np
from openmm import app, unit

from .analysis import mean_with_error, phi_psi_histogram, ramachandran, summary
from .collective_variables import Basin, CollectiveVariable, evaluate, ramachandran_regions
from .run_files import write_atomically
from .simulation import load_trajectory

#: Per-quantity populations: label -> (population, standard error).
Populations = Dict[str, Tuple[float, float]]


def residue_torsions(variables: Sequence[CollectiveVariable], topology: app.Topology) -> List[Tuple[str, int, int]]:
    """(residue label, column of phi, column of psi) for every residue whose backbone phi and psi are among the
    variables (openmmtsf.collective_variables.backbone_torsions() names them phi<i>, psi<i>)."""
    columns = {variable.name: c for c, variable in enumerate(variables)}
    residues = list(topology.residues())
    return [(f"{residues[i].name}{i}", columns[f"phi{i}"], columns[f"psi{i}"]) for i in range(len(residues))
            if f"phi{i}" in columns and f"psi{i}" in columns]


def populations(values: np.ndarray, variables: Sequence[CollectiveVariable], topology: app.Topology,
                basin: Basin) -> Populations:
    """Every residue's Ramachandran-region populations and the basin's, from a series of variable values [F, C];
    errors from each indicator's statistical inefficiency (mean_with_error())."""
    result: Populations = {}
    for label, phi, psi in residue_torsions(variables, topology):
        for region, inside in ramachandran_regions(values[:, phi], values[:, psi]).items():
            result[f"{label} {region}"] = mean_with_error(inside)
    result[f"basin {basin}"] = mean_with_error(basin.contains(values, [v.name for v in variables]))
    return result


def _reference(path: Path, variables: Sequence[CollectiveVariable], topology: app.Topology, basin: Basin
               ) -> Tuple[Populations, Dict[str, np.ndarray]]:
    """Populations and Ramachandran histograms of a reference: an MD or replica-exchange MD file with positions at
    the lowest temperature (`md`, `remd`), or a reference summary (an .npz with 'basin', 'basin_population' =
    [population, error], 'histogram' [60, 60] and 'histogram_residue', such as examples/data/
    ala2-remd-300K-summary.npz)."""
    data = load_trajectory(path)
    residues = list(topology.residues())
    if "basin_population" in data:
        found = {}
        if str(data["basin"]) == str(basin):
            found[f"basin {basin}"] = tuple(float(v) for v in data["basin_population"])
        residue = int(data["histogram_residue"])
        return found, {f"{residues[residue].name}{residue}": data["histogram"]}
    if "positions" not in data:
        raise ValueError(f"the reference {path} holds neither positions nor a summary")
    values = evaluate(variables, data["positions"].astype(np.float64))
    histograms = {label: phi_psi_histogram(values[:, phi], values[:, psi])
                  for label, phi, psi in residue_torsions(variables, topology)}
    return populations(values, variables, topology, basin), histograms


def report_run(integrator, topology: app.Topology, trajectory: Path, output: Path,
               variables: Sequence[CollectiveVariable], basin: Basin, reference: Optional[Path] = None) -> str:
    """Summarise a run: the integrator's statistics; every residue's Ramachandran populations (alpha_R, beta,
    alpha_L: collective_variables.ramachandran_regions()) and the basin's population in the trajectory of the lowest
    temperature, with error bars, next to a reference's when one is given and exists (_reference()); a Ramachandran
    plot per residue. Prints the summary and writes it to ``output/summary.txt``."""
    frames = mdtraj.load_dcd(str(trajectory), top=mdtraj.Topology.from_openmm(topology)).xyz.astype(np.float64)
    values = evaluate(variables, frames)
    temperature = integrator.getTemperature().value_in_unit(unit.kelvin)
    found = populations(values, variables, topology, basin)
    known, histograms = ({}, {})
    if reference is not None and Path(reference).is_file():
        known, histograms = _reference(Path(reference), variables, topology, basin)
    text = [summary(integrator.getStatistics(), integrator.getTemperatures().value_in_unit(unit.kelvin)),
            f"populations at {temperature:.0f} K ({len(frames)} frames; error bars from the statistical inefficiency)"
            + (f", reference {reference.name}" if known else "") + ":"]
    for label, (population, error) in found.items():
        line = f"  {label:<24} {population:.4f} +- {error:.4f}"
        if label in known:
            line += f"   reference {known[label][0]:.4f} +- {known[label][1]:.4f}"
        text.append(line)
    panels = {}
    for label, phi, psi in residue_torsions(variables, topology):
        panels[f"TSF {label}, {temperature:.0f} K"] = phi_psi_histogram(values[:, phi], values[:, psi])
        if label in histograms:
            panels[f"reference {label}"] = histograms[label]
    if panels:
        ramachandran(output / "ramachandran.png", panels, columns=2 if histograms else min(len(panels), 3))
        text.append(f"Ramachandran plot: {output / 'ramachandran.png'}")
    report = "\n".join(text)
    write_atomically(output / "summary.txt", (report + "\n").encode())
    print(report)
    return report
