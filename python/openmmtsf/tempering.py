# SPDX-License-Identifier: MIT
"""Tempering runs with TSFIntegrator: the command line's `sample`, and the report every run ends with."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, Optional, Sequence

import mdtraj
import numpy as np
import openmm
from openmm import app, unit

from .analysis import (amide_torsion_atoms, backbone_atoms, dihedral, mean_with_error, phi_psi_histogram,
                       ramachandran, summary)
from .free_energy_report import analyze
from .reporters import LadderReporter, ProgressReporter
from .run_files import check_settings, truncate_dcd, truncate_log, write_atomically
from .simulation import implicit_solvent_system, load_trajectory
from .topology import internal_coordinates_from_topology
from .tsfplugin import TSFForce, TSFIntegrator


def report_run(integrator: TSFIntegrator, topology: app.Topology, trajectory: Path, output: Path,
               reference: Optional[Path] = None) -> str:
    """Summarise a run: the integrator's statistics, the phi > 0 population at temperatures[0] with an error bar
    from its statistical inefficiency, and a Ramachandran PNG next to a reference when one is given and exists: an
    MD trajectory (an .npz from `md`) or a reference summary (an .npz with a 60x60 'histogram' and 'phi_positive' =
    [population, error], such as examples/data/ala2-remd-300K-summary.npz). Prints the summary and writes it to
    ``output/summary.txt``."""
    frames = mdtraj.load_dcd(str(trajectory), top=mdtraj.Topology.from_openmm(topology)).xyz.astype(np.float64)
    phi_atoms, psi_atoms = backbone_atoms(topology)
    phi, psi = dihedral(frames, phi_atoms), dihedral(frames, psi_atoms)
    population, error = mean_with_error(phi > 0)
    temperature = integrator.getTemperature().value_in_unit(unit.kelvin)
    text = [summary(integrator.getStatistics(), integrator.getTemperatures().value_in_unit(unit.kelvin)),
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
    write_atomically(output / "summary.txt", (report + "\n").encode())
    print(report)
    return report


def first_ladder_frames(path: Path, frames: int) -> Dict[str, np.ndarray]:
    """The first ``frames`` frames of a LadderReporter file, for a run that resumes from its checkpoint.

    Raises:
        ValueError: if the file holds fewer frames than that: it does not belong to the checkpoint.
    """
    with np.load(path) as data:
        recorded = {key: data[key] for key in ("ladder_energies", "ladder_phi", "ladder_psi", "ladder_cis")
                    if key in data.files}
    if len(recorded["ladder_energies"]) < frames:
        raise ValueError(f"{path} holds {len(recorded['ladder_energies'])} frames, fewer than the {frames} its "
                         f"checkpoint has written")
    return {key: value[:frames] for key, value in recorded.items()}


#: MC steps between the checkpoints of a `sample` run.
CHECKPOINT_INTERVAL = 1000
#: MC steps between the frames of a `sample` run's trajectory.
FRAME_INTERVAL = 10
#: The files a `sample` run writes into its output folder.
RUN_FILES = ("settings.json", "checkpoint.chk", "log.csv", "trajectory.dcd", "ladder.npz", "system.xml", "summary.txt",
             "ramachandran.png", "free_energy.csv", "free_energy.md", "free_energy.png")


def run_tempering(pdb: Path, model: Path, temperatures: Sequence[float], steps: int, output: Path,
                  platform: str = "Reference", seed: int = 1, prior_probability: float = 0.2,
                  adaptation_steps: int = 1000, reference: Optional[Path] = None, overwrite: bool = False,
                  exchange_interval: int = 1, proposals_per_flow_call: Optional[int] = None) -> str:
    """Tempering of a molecule (amber99sb-ildn, OBC, HBonds) with a trained flow; writes a log, a DCD of the first
    temperature, every temperature's energies, phi and psi (``ladder.npz``, for openmmtsf.free_energy), the System's
    XML and the report to ``output``.

    The run checkpoints every CHECKPOINT_INTERVAL steps (``checkpoint.chk``, written atomically after the frames
    and log rows it covers). Rerun with the same settings into the same folder, an interrupted run resumes from
    its checkpoint, with its trajectory and log cut back to it, and continues exactly; a larger ``steps``
    extends a finished run; a run stopped before its first checkpoint starts again. ``overwrite`` starts afresh
    instead. ``exchange_interval`` (steps between exchange attempts) and ``proposals_per_flow_call`` (None: the
    integrator's default) are TSFIntegrator's settings of the same names.

    Raises:
        FileExistsError: if ``output`` holds files but no run to resume, and ``overwrite`` is false.
        ValueError: if the run in ``output`` has other settings.
    """
    checkpoint = output / "checkpoint.chk"
    # A run stopped before its first checkpoint left only its own files: it starts again (with the same settings).
    unfinished = output.is_dir() and not checkpoint.is_file() and (output / "settings.json").is_file() and all(
        path.name in RUN_FILES or path.name.endswith(".partial") for path in output.iterdir())
    if overwrite:
        for name in RUN_FILES:
            (output / name).unlink(missing_ok=True)
    elif output.is_dir() and any(output.iterdir()) and not checkpoint.is_file() and not unfinished:
        raise FileExistsError(f"{output} already holds results: choose another output folder, or pass --overwrite")
    output.mkdir(parents=True, exist_ok=True)
    check_settings(output / "settings.json", {
        "pdb": str(Path(pdb).resolve()), "model": str(Path(model).resolve()),
        "temperatures": [float(t) for t in temperatures], "platform": platform, "seed": seed,
        "prior_probability": prior_probability, "adaptation_steps": adaptation_steps,
        "exchange_interval": exchange_interval, "proposals_per_flow_call": proposals_per_flow_call})
    if unfinished and not overwrite:
        for path in output.iterdir():
            if path.name != "settings.json":
                path.unlink()
    molecule, system = implicit_solvent_system(pdb)
    system.addForce(TSFForce(str(model), internal_coordinates_from_topology(molecule.topology, system)))
    integrator = TSFIntegrator(list(temperatures))
    integrator.setPriorMoveProbability(prior_probability)
    integrator.setAdaptationSteps(adaptation_steps)
    integrator.setRandomNumberSeed(seed)
    integrator.setExchangeInterval(exchange_interval)
    if proposals_per_flow_call is not None:
        integrator.setProposalsPerFlowCall(proposals_per_flow_call)
    simulation = app.Simulation(molecule.topology, system, integrator, openmm.Platform.getPlatformByName(platform))
    simulation.context.setPositions(molecule.positions)
    resuming = checkpoint.is_file()
    recorded = None
    if resuming:
        simulation.loadCheckpoint(str(checkpoint))
        done = simulation.currentStep
        frames = done // FRAME_INTERVAL - adaptation_steps // FRAME_INTERVAL
        truncate_dcd(output / "trajectory.dcd", frames)
        truncate_log(output / "log.csv", done)
        recorded = first_ladder_frames(output / "ladder.npz", frames)
    else:
        simulation.step(adaptation_steps)
        integrator.resetStatistics()
    end = adaptation_steps + steps
    simulation.reporters.append(app.StateDataReporter(str(output / "log.csv"), 100, step=True, potentialEnergy=True,
                                                      temperature=True, append=resuming))
    simulation.reporters.append(app.DCDReporter(str(output / "trajectory.dcd"), FRAME_INTERVAL, append=resuming))
    ladder = LadderReporter(integrator, FRAME_INTERVAL, *backbone_atoms(molecule.topology), recorded,
                            amide_torsion_atoms(molecule.topology))
    simulation.reporters.append(ladder)
    progress = ProgressReporter(steps, 100, "TSF tempering", initial=simulation.currentStep - adaptation_steps)
    simulation.reporters.append(progress)
    while simulation.currentStep < end:
        simulation.step(min(CHECKPOINT_INTERVAL - simulation.currentStep % CHECKPOINT_INTERVAL, end - simulation.currentStep))
        ladder.save(output / "ladder.npz")
        write_atomically(checkpoint, simulation.context.createCheckpoint())
    progress.close()
    write_atomically(output / "system.xml", openmm.XmlSerializer.serialize(system).encode())
    report = report_run(integrator, molecule.topology, output / "trajectory.dcd", output, reference)
    try:
        free_energies = analyze([output], [], output)
    except ValueError as error:
        free_energies = f"phi > 0 free energies by MBAR: not estimated ({error})"
    print(free_energies)
    return report + "\n" + free_energies
