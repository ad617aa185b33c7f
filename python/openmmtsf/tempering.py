# SPDX-License-Identifier: MIT
"""Tempering runs with TSFIntegrator: the command line's `sample`, and the report every run ends with."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Dict, Optional, Sequence

import numpy as np
import openmm
from openmm import app

from .collective_variables import Basin, CollectiveVariable, amide_torsions, default_basin_text, recorded_variables
from .fingerprint import create_tsf_force, molecule_fingerprint
from .free_energy_report import analyze
from .molecule import Molecule
from .reporters import LadderReporter, ProgressReporter
from .run_files import check_settings, truncate_dcd, truncate_log, write_atomically
from .run_report import report_run
from .topology import internal_coordinates_from_topology
from .tsfplugin import TSFIntegrator


def first_ladder_frames(path: Path, frames: int) -> Dict[str, np.ndarray]:
    """The first ``frames`` frames of a LadderReporter file, for a run that resumes from its checkpoint.

    Raises:
        ValueError: if the file holds fewer frames than that: it does not belong to the checkpoint.
    """
    with np.load(path) as data:
        recorded = {key: data[key] for key in ("ladder_energies", "ladder_cvs", "ladder_cis")
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


def molecule_digest(molecule: Molecule) -> str:
    """A SHA-256 of the molecule's fingerprint (openmmtsf.fingerprint), by which a run refuses to resume with
    another molecule."""
    definition = internal_coordinates_from_topology(molecule.topology, molecule.system)
    fingerprint = molecule_fingerprint(molecule.topology, molecule.system, definition)
    return hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()


def run_tempering(molecule: Molecule, model: Path, temperatures: Sequence[float], steps: int, output: Path,
                  platform: str = "Reference", seed: int = 1, prior_move_probability: Optional[float] = None,
                  adaptation_steps: int = 1000, reference: Optional[Path] = None, overwrite: bool = False,
                  exchange_interval: Optional[int] = None, proposals_per_flow_call: Optional[int] = None,
                  single_precision_flow: bool = False,
                  extra_variables: Sequence[CollectiveVariable] = (), basin: Optional[str] = None) -> str:
    """Tempering of a molecule (openmmtsf.molecule) with a flow trained for it; writes a log, a DCD of the first
    temperature, every temperature's energies and collective variables (``ladder.npz``, for openmmtsf.free_energy),
    the System's XML and the report to ``output``.

    The run records every residue's backbone phi and psi and the ``extra_variables``; ``basin`` (collective_variables.Basin; default: default_basin_text()) is the region
    whose population the report gives and whose free energy against temperature it estimates by MBAR.

    The run checkpoints every CHECKPOINT_INTERVAL steps (``checkpoint.chk``, written atomically after the frames
    and log rows it covers). Rerun with the same settings into the same folder, an interrupted run resumes from
    its checkpoint, with its trajectory and log cut back to it, and continues exactly; a larger ``steps``
    extends a finished run; a run stopped before its first checkpoint starts again. ``overwrite`` starts afresh
    instead. ``prior_move_probability``, ``exchange_interval`` (steps between exchange attempts) and
    ``proposals_per_flow_call`` are TSFIntegrator's settings of the same names; None keeps the integrator's default
    (prior moves only, exchanges every 25 steps, 64 proposals per flow call: its fastest measured settings).
    ``single_precision_flow`` runs a float32 copy of the flow (TSFIntegrator.SinglePrecisionFlow).

    Raises:
        FileExistsError: if ``output`` holds files but no run to resume, and ``overwrite`` is false.
        ValueError: if the run in ``output`` has other settings, or a variable or the basin is malformed.
        openmmtsf.fingerprint.MoleculeMismatchError: if the model was made for another molecule or atom order.
    """
    checkpoint = output / "checkpoint.chk"
    # A run stopped before its first checkpoint left only its own files: it starts again (with the same settings).
    unfinished = output.is_dir() and not checkpoint.is_file() and (output / "settings.json").is_file() and all(
        path.name in RUN_FILES or path.name.endswith(".partial") for path in output.iterdir())
    if not overwrite and output.is_dir() and any(output.iterdir()) and not checkpoint.is_file() and not unfinished:
        raise FileExistsError(f"{output} already holds results: choose another output folder, or pass --overwrite")
    # Every input is checked before anything in the output folder changes.
    variables = recorded_variables(molecule.topology, extra_variables)
    region = Basin(basin or default_basin_text([variable.name for variable in variables]), variables)
    force = create_tsf_force(model, molecule.topology, molecule.system)
    integrator = TSFIntegrator(list(temperatures))
    if prior_move_probability is not None:
        integrator.setPriorMoveProbability(prior_move_probability)
    if exchange_interval is not None:
        integrator.setExchangeInterval(exchange_interval)
    if proposals_per_flow_call is not None:
        integrator.setProposalsPerFlowCall(proposals_per_flow_call)
    if single_precision_flow:
        integrator.setFlowPrecision(TSFIntegrator.SinglePrecisionFlow)
    integrator.setAdaptationSteps(adaptation_steps)
    integrator.setRandomNumberSeed(seed)
    if overwrite:
        for name in RUN_FILES:
            (output / name).unlink(missing_ok=True)
    output.mkdir(parents=True, exist_ok=True)
    settings = {
        "molecule_sha256": molecule_digest(molecule), "model": str(Path(model).resolve()),
        "collective_variables": [variable.definition for variable in variables],
        "temperatures": [float(t) for t in temperatures], "platform": platform, "seed": seed,
        "prior_move_probability": integrator.getPriorMoveProbability(), "adaptation_steps": adaptation_steps,
        "exchange_interval": integrator.getExchangeInterval(), "proposals_per_flow_call": proposals_per_flow_call}
    if single_precision_flow:  # recorded only when set, so that runs made before the option resume
        settings["single_precision_flow"] = True
    check_settings(output / "settings.json", settings)
    if unfinished and not overwrite:
        for path in output.iterdir():
            if path.name != "settings.json":
                path.unlink()
    system = openmm.XmlSerializer.clone(molecule.system)  # the caller's System stays without the TSFForce
    system.addForce(force)
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
    ladder = LadderReporter(integrator, FRAME_INTERVAL, variables, recorded, amide_torsions(molecule.topology))
    simulation.reporters.append(ladder)
    progress = ProgressReporter(steps, 100, "TSF tempering", initial=simulation.currentStep - adaptation_steps)
    simulation.reporters.append(progress)
    while simulation.currentStep < end:
        simulation.step(min(CHECKPOINT_INTERVAL - simulation.currentStep % CHECKPOINT_INTERVAL, end - simulation.currentStep))
        ladder.save(output / "ladder.npz")
        write_atomically(checkpoint, simulation.context.createCheckpoint())
    progress.close()
    write_atomically(output / "system.xml", openmm.XmlSerializer.serialize(system).encode())
    report = report_run(integrator, molecule.topology, output / "trajectory.dcd", output, variables, region, reference)
    try:
        free_energies = analyze([output], [], output, basin=str(region))
    except ValueError as error:
        free_energies = f"free energies of {region} by MBAR: not estimated ({error})"
    print(free_energies)
    return report + "\n" + free_energies
