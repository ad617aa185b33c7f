# SPDX-License-Identifier: MIT
"""Temperature replica-exchange MD with standard Langevin replicas: the ground truth at the lowest temperature.
Resumable, with a progress bar."""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Dict, Sequence, Tuple, Union

import numpy as np
import openmm
from openmm import unit
from tqdm import tqdm

from ..collective_variables import CollectiveVariable, amide_torsions, cis_amides, evaluate, recorded_variables
from ..molecule import Molecule
from ..run_files import check_run_settings, save_arrays
from ..units import BOLTZMANN_KJ_PER_MOL_K
from .time_step import STEP_FS, check_time_step

CYCLES_PER_SAVE = 250


def run_remd(molecule: Molecule, temperatures: Sequence[float], cycles: int, output: Union[str, Path],
             platform: str = "Reference", seed: int = 1, timestep_fs: float = STEP_FS,
             extra_variables: Sequence[CollectiveVariable] = ()) -> Dict[str, np.ndarray]:
    """Replica-exchange MD: every cycle, 1 ps of LangevinMiddle MD (time step ``timestep_fs``, friction 1/ps) per
    replica, then exchanges between neighbours (alternately even and odd pairs), with velocities rescaled. Records
    every residue's backbone phi and psi, the ``extra_variables`` and the potential energy at every
    temperature every cycle, and saves every 250 cycles, so an interrupted run resumes: the output, and beside it
    every replica's Context checkpoint, the exchange counts and the random state (``<output>.state``, an .npz) and
    the run's settings (``<output>.settings.json``, openmmtsf.run_files). A larger ``cycles`` extends a run.

    A cycle is round(1000 / timestep_fs) steps. The time step is an integrator setting whose discretisation error
    biases the sampled distribution a little; runs at two time steps measure that bias (docs/validation.md).

    Returns the arrays: cv_definitions [C] (CollectiveVariable.definition); cvs [F, C] (radians or nm,
    openmmtsf.collective_variables) and energies [F] (kJ/mol) at the lowest temperature; positions (nm, float32) at the lowest temperature [F, N, 3]; ladder_cvs
    [F, R, C], ladder_energies and ladder_cis (a cis amide, |omega| < pi/2) [F, R] at every temperature (columns in
    the order of ``temperatures``, for MBAR); temperatures; acceptance (per neighbour pair).

    Raises:
        ValueError: if the time step is not positive, or the run to resume was made with other settings (ladder,
            time step, seed, platform or collective variables) or by an older version.
    """
    check_time_step(timestep_fs)
    steps_per_cycle = max(1, int(round(1000.0 / timestep_fs)))
    output = Path(output)
    state_path = Path(str(output) + ".state")
    system = molecule.system
    variables = recorded_variables(molecule.topology, extra_variables)
    definitions = [variable.definition for variable in variables]
    amide_atoms = amide_torsions(molecule.topology)
    temperatures = list(temperatures)
    output.parent.mkdir(parents=True, exist_ok=True)
    check_run_settings(output, {"temperatures": [float(t) for t in temperatures], "timestep_fs": float(timestep_fs),
                                "seed": seed, "platform": platform, "cv_definitions": definitions})
    if output.is_file() and not state_path.is_file():
        raise ValueError(f"{output} has no state {state_path} to resume from: start a new output file")
    if output.is_file() and not _is_state_file(state_path):
        raise ValueError(f"{state_path} was written by an older version of openmmtsf, which kept it in another format: "
                         "start a new output file")
    contexts = []
    for i, temperature in enumerate(temperatures):
        integrator = openmm.LangevinMiddleIntegrator(temperature * unit.kelvin, 1.0 / unit.picosecond,
                                                      timestep_fs * unit.femtosecond)
        integrator.setRandomNumberSeed(seed + i)
        contexts.append(openmm.Context(system, integrator, openmm.Platform.getPlatformByName(platform)))
    if output.is_file():
        record, attempts, accepts, rng = _resume(output, state_path, contexts)
    else:
        for i, context in enumerate(contexts):
            context.setPositions(molecule.positions)
            openmm.LocalEnergyMinimizer.minimize(context)
            context.setVelocitiesToTemperature(temperatures[i] * unit.kelvin, seed + i)
        record = {"cvs": [], "energies": [], "ladder_cvs": [], "ladder_energies": [], "ladder_cis": [], "positions": []}
        attempts, accepts = np.zeros(len(temperatures) - 1, int), np.zeros(len(temperatures) - 1, int)
        rng = np.random.default_rng(seed)
    lowest = int(np.argmin(temperatures))
    with tqdm(total=cycles, initial=min(len(record["cvs"]), cycles), desc="replica-exchange MD", unit="ps") as progress:
        while len(record["cvs"]) < cycles:
            cycle = len(record["cvs"])
            for context in contexts:
                context.getIntegrator().step(steps_per_cycle)
            states = [c.getState(getPositions=True, getVelocities=True, getEnergy=True) for c in contexts]
            energies = [s.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole) for s in states]
            for i in range(cycle % 2, len(temperatures) - 1, 2):
                j = i + 1
                attempts[i] += 1
                delta = (1 / (BOLTZMANN_KJ_PER_MOL_K * temperatures[i]) - 1 / (BOLTZMANN_KJ_PER_MOL_K * temperatures[j])) \
                    * (energies[i] - energies[j])
                if delta >= 0 or rng.uniform() < math.exp(delta):
                    accepts[i] += 1
                    states[i], states[j] = states[j], states[i]
                    energies[i], energies[j] = energies[j], energies[i]
                    for k, other in ((i, j), (j, i)):
                        contexts[k].setPositions(states[k].getPositions())
                        scale = math.sqrt(temperatures[k] / temperatures[other])
                        contexts[k].setVelocities(states[k].getVelocities(asNumpy=True) * scale)
            x = np.array([s.getPositions(asNumpy=True).value_in_unit(unit.nanometer) for s in states])
            values = evaluate(variables, x)
            record["cvs"].append(values[lowest])
            record["energies"].append(energies[lowest])
            record["ladder_cvs"].append(values)
            record["ladder_energies"].append(np.array(energies))
            record["ladder_cis"].append(cis_amides(x, amide_atoms))
            record["positions"].append(x[lowest].astype(np.float32))
            progress.update(1)
            if len(record["cvs"]) % CYCLES_PER_SAVE == 0 or len(record["cvs"]) == cycles:
                _save(output, state_path, contexts, record, attempts, accepts, rng, temperatures, timestep_fs, definitions)
    return dict(np.load(output))


def _is_state_file(path: Path) -> bool:
    """Whether a file is a replica-exchange state of this version (an .npz with its checkpoints)."""
    try:
        with np.load(path) as state:
            return "checkpoint_0" in state.files
    except (OSError, ValueError):
        return False


def _resume(output: Path, state_path: Path, contexts) -> Tuple[Dict[str, list], np.ndarray, np.ndarray,
                                                              np.random.Generator]:
    """Load every replica's checkpoint and the random state, and the record so far from the output, which holds
    exactly the cycles that the state continues (both are written at every save, the output first)."""
    with np.load(state_path) as state:
        for i, context in enumerate(contexts):
            context.loadCheckpoint(state[f"checkpoint_{i}"].tobytes())
        attempts, accepts = state["attempts"], state["accepts"]
        rng = np.random.default_rng()
        rng.bit_generator.state = json.loads(str(state["rng_state"]))
        cycles = int(state["cycles"])
    with np.load(output) as saved:
        record = {key: list(saved[key][:cycles]) for key in _RECORDED}
    return record, attempts, accepts, rng


#: The per-cycle arrays of an output, in the order they are recorded.
_RECORDED = ("cvs", "energies", "ladder_cvs", "ladder_energies", "ladder_cis", "positions")


def _save(output: Path, state_path: Path, contexts, record, attempts, accepts, rng, temperatures,
          timestep_fs: float, definitions: Sequence[str]) -> None:
    replicas, variables = len(temperatures), len(definitions)
    save_arrays(output, {"cv_definitions": np.array(definitions, dtype=str),
                         "cvs": np.array(record["cvs"]).reshape(-1, variables),
                         "energies": np.array(record["energies"]),
                         "ladder_cvs": np.array(record["ladder_cvs"]).reshape(-1, replicas, variables),
                         "ladder_energies": np.array(record["ladder_energies"]),
                         "ladder_cis": np.array(record["ladder_cis"]).reshape(-1, replicas),
                         "positions": np.array(record["positions"]), "temperatures": np.array(temperatures),
                         "timestep_fs": np.array(timestep_fs), "acceptance": accepts / np.maximum(attempts, 1)})
    checkpoints = {f"checkpoint_{i}": np.frombuffer(context.createCheckpoint(), dtype=np.uint8)
                   for i, context in enumerate(contexts)}
    save_arrays(state_path, {**checkpoints, "attempts": attempts, "accepts": accepts,
                             "cycles": np.array(len(record["cvs"])),
                             "rng_state": np.array(json.dumps(rng.bit_generator.state))})
