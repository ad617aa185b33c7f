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

from ..analysis import amide_torsion_atoms, backbone_atoms, cis_amides, dihedral
from ..units import BOLTZMANN_KJ_PER_MOL_K
from .systems import implicit_solvent_system
from .time_step import STEP_FS, check_resumed_time_step, check_time_step

CYCLES_PER_SAVE = 250


def run_remd(pdb_path: Union[str, Path], temperatures: Sequence[float], cycles: int, output: Union[str, Path],
             platform: str = "Reference", seed: int = 1, timestep_fs: float = STEP_FS) -> Dict[str, np.ndarray]:
    """Replica-exchange MD: every cycle, 1 ps of LangevinMiddle MD (time step ``timestep_fs``, friction 1/ps) per
    replica, then exchanges between neighbours (alternately even and odd pairs), with velocities rescaled. Records
    phi, psi and the potential energy at every temperature every cycle, and saves (with every replica's state) every
    250 cycles, so an interrupted run resumes.

    A cycle is round(1000 / timestep_fs) steps. The time step is an integrator setting whose discretisation error
    biases the sampled distribution a little; runs at two time steps measure that bias (docs/validation.md).

    Returns the arrays: phi, psi (radians), energies (kJ/mol) at the lowest temperature [F]; positions (nm, float32)
    at the lowest temperature [F, N, 3] (absent for a run begun by an older version); ladder_phi, ladder_psi,
    ladder_energies, and ladder_cis (a cis amide, |omega| < pi/2; absent for a run begun by an older version) at every
    temperature [F, R] (columns in the order of ``temperatures``, for MBAR); temperatures; acceptance (per
    neighbour pair).

    Raises:
        ValueError: if the time step is not positive, or the saved state is from a version that recorded the lowest
            temperature only or was made with another time step.
    """
    check_time_step(timestep_fs)
    steps_per_cycle = max(1, int(round(1000.0 / timestep_fs)))
    output = Path(output)
    state_path = Path(str(output) + ".state")
    pdb, system = implicit_solvent_system(pdb_path)
    phi_atoms, psi_atoms = backbone_atoms(pdb.topology)
    amide_atoms = amide_torsion_atoms(pdb.topology)
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
        if "ladder_phi" not in record:
            raise ValueError(f"{state_path} records the lowest temperature only (an older version): it cannot be "
                             f"extended; start a new output file")
        check_resumed_time_step(state_path, saved.get("timestep_fs", STEP_FS), timestep_fs)
    else:
        for i, context in enumerate(contexts):
            context.setPositions(pdb.positions)
            openmm.LocalEnergyMinimizer.minimize(context)
            context.setVelocitiesToTemperature(temperatures[i] * unit.kelvin, seed + i)
        record = {"phi": [], "psi": [], "energies": [], "ladder_phi": [], "ladder_psi": [], "ladder_energies": [],
                  "ladder_cis": [], "positions": []}
        attempts, accepts = np.zeros(len(temperatures) - 1, int), np.zeros(len(temperatures) - 1, int)
        rng = np.random.default_rng(seed)
    lowest = int(np.argmin(temperatures))
    with tqdm(total=cycles, initial=min(len(record["phi"]), cycles), desc="replica-exchange MD", unit="ps") as progress:
        while len(record["phi"]) < cycles:
            cycle = len(record["phi"])
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
            phi, psi = dihedral(x, phi_atoms), dihedral(x, psi_atoms)
            record["phi"].append(float(phi[lowest]))
            record["psi"].append(float(psi[lowest]))
            record["energies"].append(energies[lowest])
            record["ladder_phi"].append(phi)
            record["ladder_psi"].append(psi)
            record["ladder_energies"].append(np.array(energies))
            if "ladder_cis" in record:
                record["ladder_cis"].append(cis_amides(x, amide_atoms))
            if "positions" in record:
                record["positions"].append(x[lowest].astype(np.float32))
            progress.update(1)
            if len(record["phi"]) % CYCLES_PER_SAVE == 0 or len(record["phi"]) == cycles:
                _save(output, state_path, contexts, record, attempts, accepts, rng, temperatures, timestep_fs)
    return dict(np.load(output))


def _save(output: Path, state_path: Path, contexts, record, attempts, accepts, rng, temperatures,
          timestep_fs: float) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_suffix(".partial.npz")
    np.savez_compressed(partial, phi=np.array(record["phi"]), psi=np.array(record["psi"]),
                        energies=np.array(record["energies"]), ladder_phi=np.array(record["ladder_phi"]),
                        ladder_psi=np.array(record["ladder_psi"]), ladder_energies=np.array(record["ladder_energies"]),
                        temperatures=np.array(temperatures), timestep_fs=np.array(timestep_fs),
                        acceptance=accepts / np.maximum(attempts, 1),
                        **{key: np.array(record[key]) for key in ("ladder_cis", "positions") if key in record})
    partial.replace(output)
    partial_state = state_path.with_suffix(".partial")
    with open(partial_state, "wb") as handle:
        pickle.dump({"checkpoints": [c.createCheckpoint() for c in contexts], "record": record, "attempts": attempts,
                     "accepts": accepts, "rng": rng,
                     "timestep_fs": timestep_fs}, handle)
    partial_state.replace(state_path)
