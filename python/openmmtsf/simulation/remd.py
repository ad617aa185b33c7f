# SPDX-License-Identifier: MIT
"""Temperature replica-exchange MD with standard Langevin replicas: the ground truth at the lowest temperature.
Resumable, with a progress bar."""
from __future__ import annotations

import math
import pickle
from pathlib import Path
from typing import Dict, Sequence, Union

import numpy as np
import openmm
from openmm import unit
from tqdm import tqdm

from ..collective_variables import CollectiveVariable, amide_torsions, cis_amides, evaluate, recorded_variables
from ..molecule import Molecule
from ..units import BOLTZMANN_KJ_PER_MOL_K
from .time_step import STEP_FS, check_resumed_time_step, check_time_step

CYCLES_PER_SAVE = 250


def run_remd(molecule: Molecule, temperatures: Sequence[float], cycles: int, output: Union[str, Path],
             platform: str = "Reference", seed: int = 1, timestep_fs: float = STEP_FS,
             extra_variables: Sequence[CollectiveVariable] = ()) -> Dict[str, np.ndarray]:
    """Replica-exchange MD: every cycle, 1 ps of LangevinMiddle MD (time step ``timestep_fs``, friction 1/ps) per
    replica, then exchanges between neighbours (alternately even and odd pairs), with velocities rescaled. Records
    every residue's backbone phi and psi, the ``extra_variables`` and the potential energy at every
    temperature every cycle, and saves (with every replica's state) every 250 cycles, so an interrupted run resumes.

    A cycle is round(1000 / timestep_fs) steps. The time step is an integrator setting whose discretisation error
    biases the sampled distribution a little; runs at two time steps measure that bias (docs/validation.md).

    Returns the arrays: cv_definitions [C] (CollectiveVariable.definition); cvs [F, C] (radians or nm,
    openmmtsf.collective_variables) and energies [F] (kJ/mol) at the lowest temperature; positions (nm, float32) at the lowest temperature [F, N, 3]; ladder_cvs
    [F, R, C], ladder_energies and ladder_cis (a cis amide, |omega| < pi/2) [F, R] at every temperature (columns in
    the order of ``temperatures``, for MBAR); temperatures; acceptance (per neighbour pair).

    Raises:
        ValueError: if the time step is not positive, or the saved state is from an older version or was made with
            another time step or other collective variables.
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
    contexts = []
    for i, temperature in enumerate(temperatures):
        integrator = openmm.LangevinMiddleIntegrator(temperature * unit.kelvin, 1.0 / unit.picosecond,
                                                      timestep_fs * unit.femtosecond)
        integrator.setRandomNumberSeed(seed + i)
        contexts.append(openmm.Context(system, integrator, openmm.Platform.getPlatformByName(platform)))
    if state_path.is_file():
        with open(state_path, "rb") as handle:
            saved = pickle.load(handle)
        for context, checkpoint in zip(contexts, saved["checkpoints"]):
            context.loadCheckpoint(checkpoint)
        record, attempts, accepts, rng = saved["record"], saved["attempts"], saved["accepts"], saved["rng"]
        if saved.get("cv_definitions") != definitions:
            raise ValueError(f"{state_path} records other collective variables ({saved.get('cv_definitions')}) than "
                             f"{definitions} (or was written by an older version): start a new output file")
        check_resumed_time_step(state_path, saved.get("timestep_fs", STEP_FS), timestep_fs)
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


def _save(output: Path, state_path: Path, contexts, record, attempts, accepts, rng, temperatures,
          timestep_fs: float, definitions: Sequence[str]) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_suffix(".partial.npz")
    replicas, variables = len(temperatures), len(definitions)
    np.savez_compressed(partial, cv_definitions=np.array(definitions, dtype=str),
                        cvs=np.array(record["cvs"]).reshape(-1, variables), energies=np.array(record["energies"]),
                        ladder_cvs=np.array(record["ladder_cvs"]).reshape(-1, replicas, variables),
                        ladder_energies=np.array(record["ladder_energies"]),
                        ladder_cis=np.array(record["ladder_cis"]).reshape(-1, replicas),
                        positions=np.array(record["positions"]), temperatures=np.array(temperatures),
                        timestep_fs=np.array(timestep_fs), acceptance=accepts / np.maximum(attempts, 1))
    partial.replace(output)
    partial_state = state_path.with_suffix(".partial")
    with open(partial_state, "wb") as handle:
        pickle.dump({"checkpoints": [c.createCheckpoint() for c in contexts], "record": record, "attempts": attempts,
                     "accepts": accepts, "rng": rng,
                     "timestep_fs": timestep_fs, "cv_definitions": list(definitions)}, handle)
    partial_state.replace(state_path)
