# SPDX-License-Identifier: MIT
"""Tempering runs with TSFIntegrator: the command line's `sample`, and the report every run ends with."""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

import mdtraj
import numpy as np
import openmm
from openmm import app

from .analysis import backbone_atoms, dihedral, mean_with_error, phi_psi_histogram, ramachandran, summary
from .data import implicit_solvent_system, load_trajectory
from .reporters import ProgressReporter
from .topology import internal_coordinates_from_topology
from .tsfplugin import TSFForce, TSFIntegrator


def report_run(integrator: TSFIntegrator, topology: app.Topology, trajectory: Path, output: Path,
               reference: Optional[Path] = None) -> str:
    """Summarise a run: the integrator's statistics, the phi > 0 population at temperatures[0] with a block
    error bar, and a Ramachandran PNG next to a reference when one is given and exists: an MD trajectory (an .npz
    from `md`) or a reference summary (an .npz with a 60x60 'histogram' and 'phi_positive' = [population,
    error], such as examples/data/ala2-remd-300K-summary.npz). Prints the summary and writes it to
    ``output/summary.txt``."""
    frames = mdtraj.load_dcd(str(trajectory), top=mdtraj.Topology.from_openmm(topology)).xyz.astype(np.float64)
    phi_atoms, psi_atoms = backbone_atoms(topology)
    phi, psi = dihedral(frames, phi_atoms), dihedral(frames, psi_atoms)
    population, error = mean_with_error(phi > 0)
    temperature = integrator.getTemperature()
    text = [summary(integrator.getStatistics(), integrator.getTemperatures()),
            f"phi > 0 population at {temperature:.0f} K: {population:.4f} +- {error:.4f} ({len(phi)} frames)"]
    panels = {f"TSF tempering, {temperature:.0f} K": phi_psi_histogram(phi, psi)}
    if reference is not None and Path(reference).is_file():
        data = load_trajectory(reference)
        if "histogram" in data:
            histogram, (ref_population, ref_error) = data["histogram"], data["phi_positive"]
        else:
            md = data["positions"].astype(np.float64)
            md_phi = dihedral(md, phi_atoms)
            histogram = phi_psi_histogram(md_phi, dihedral(md, psi_atoms))
            ref_population, ref_error = mean_with_error(md_phi > 0)
        text.append(f"phi > 0 population in the reference ({reference.name}): {ref_population:.4f} +- {ref_error:.4f}")
        panels[f"reference ({reference.name})"] = histogram
    ramachandran(output / "ramachandran.png", panels)
    text.append(f"Ramachandran plot: {output / 'ramachandran.png'}")
    report = "\n".join(text)
    (output / "summary.txt").write_text(report + "\n")
    print(report)
    return report


def run_tempering(pdb: Path, model: Path, temperatures: Sequence[float], steps: int, output: Path,
                  platform: str = "Reference", seed: int = 1, prior_probability: float = 0.2,
                  adaptation_steps: int = 1000, reference: Optional[Path] = None, overwrite: bool = False) -> str:
    """Tempering of a molecule (amber99sb-ildn, OBC, HBonds) with a trained flow; writes a log, a DCD of the first
    temperature, the System's XML and the report to ``output``, which must be empty unless ``overwrite``.

    Raises:
        FileExistsError: if ``output`` holds files and ``overwrite`` is false (a rerun would mix two runs).
    """
    if output.is_dir() and any(output.iterdir()) and not overwrite:
        raise FileExistsError(f"{output} already holds results: choose another output folder, or pass --overwrite")
    output.mkdir(parents=True, exist_ok=True)
    molecule, system = implicit_solvent_system(pdb)
    system.addForce(TSFForce(str(model), internal_coordinates_from_topology(molecule.topology, system)))
    integrator = TSFIntegrator(list(temperatures))
    integrator.setPriorMoveProbability(prior_probability)
    integrator.setAdaptationSteps(adaptation_steps)
    integrator.setRandomNumberSeed(seed)
    simulation = app.Simulation(molecule.topology, system, integrator, openmm.Platform.getPlatformByName(platform))
    simulation.context.setPositions(molecule.positions)
    simulation.step(adaptation_steps)
    integrator.resetStatistics()
    simulation.reporters.append(app.StateDataReporter(str(output / "log.csv"), 100, step=True, potentialEnergy=True,
                                                      temperature=True))
    simulation.reporters.append(app.DCDReporter(str(output / "trajectory.dcd"), 10))
    progress = ProgressReporter(steps, 100, "TSF tempering")
    simulation.reporters.append(progress)
    simulation.step(steps)
    progress.close()
    (output / "system.xml").write_text(openmm.XmlSerializer.serialize(system))
    return report_run(integrator, molecule.topology, output / "trajectory.dcd", output, reference)
