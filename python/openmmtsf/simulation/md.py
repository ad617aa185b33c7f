# SPDX-License-Identifier: MIT
"""Langevin MD that writes positions and energies to a compressed file, resumes from what is on disk, and
shows a progress bar."""
from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Dict, Optional, Union

import numpy as np
import openmm
from openmm import unit
from tqdm import tqdm

from ..molecule import Molecule
from ..run_files import check_run_settings, save_arrays
from .time_step import STEP_FS, check_time_step

STEPS_PER_FRAME = 500  # 1 ps, the default frame interval
#: Seconds of MD between rewrites of the output (each rewrite costs time in proportion to the frames so far).
SAVE_INTERVAL_S = 60.0


def load_trajectory(path: Union[str, Path]) -> Dict[str, np.ndarray]:
    """A trajectory written by run_md(): positions [F, N, 3] in nm, potential energies [F] in kJ/mol, the
    temperature in kelvin, the time step in fs (``timestep_fs``), and the Context checkpoint (bytes as uint8) that
    continues it."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No trajectory file at {path}; generate it with `python -m openmmtsf md`")
    with np.load(path) as data:
        return {key: data[key] for key in data.files}


def run_md(molecule: Molecule, temperature: float, frames: int, output: Union[str, Path],
           platform: str = "Reference", seed: int = 1, steps_per_frame: int = STEPS_PER_FRAME,
           initial_positions: Optional[np.ndarray] = None, timestep_fs: float = STEP_FS) -> Dict[str, np.ndarray]:
    """Run Langevin MD (LangevinMiddle, friction 1/ps) and save a frame every ``steps_per_frame`` steps.

    The file is rewritten atomically about every SAVE_INTERVAL_S seconds with the Context's checkpoint inside it,
    so frames and checkpoint always agree and an interrupted run resumes where it stopped, losing at most that
    much work; a finished one is only loaded, and a larger ``frames`` extends it. (Rewriting every fixed number of
    frames made a long run's saving cost grow with the square of its length.) The run's settings are recorded
    beside the output (``<output>.settings.json``, openmmtsf.run_files), and a run resumed with others is refused.

    Args:
        molecule: the molecule (openmmtsf.molecule): its System and starting positions.
        temperature: kelvin.
        frames: the number of frames wanted in total.
        output: the .npz file.
        platform: the OpenMM platform.
        seed: the integrator's random seed (fixed, so a run is reproducible on one platform).
        steps_per_frame: MD steps between saved frames (500: 1 ps).
        initial_positions: [N, 3] nm to start from (minimised first) instead of the PDB's positions.
        timestep_fs: the time step in fs (2 by default); its discretisation error biases the sampled distribution
            a little, which runs at several time steps measure (studies/common/timestep_bias.py).

    Raises:
        ValueError: for a non-positive time step, steps_per_frame < 1, initial positions of the wrong shape, or an
            output to resume that was made with other settings (temperature, time step, frame interval, seed,
            platform or starting positions).
    """
    check_time_step(timestep_fs)
    if steps_per_frame < 1:
        raise ValueError(f"steps_per_frame must be at least 1, not {steps_per_frame}")
    output = Path(output)
    system = molecule.system
    start = molecule.positions if initial_positions is None else np.asarray(initial_positions, dtype=np.float64)
    if initial_positions is not None and start.shape != (system.getNumParticles(), 3):
        raise ValueError(f"initial positions of shape {start.shape}; the molecule has {system.getNumParticles()} "
                         "particles")
    output.parent.mkdir(parents=True, exist_ok=True)
    check_run_settings(output, {
        "temperature": float(temperature), "timestep_fs": float(timestep_fs), "steps_per_frame": steps_per_frame,
        "seed": seed, "platform": platform, "start_sha256": hashlib.sha256(start.tobytes()).hexdigest()})
    integrator = openmm.LangevinMiddleIntegrator(temperature * unit.kelvin, 1.0 / unit.picosecond,
                                                  timestep_fs * unit.femtosecond)
    integrator.setRandomNumberSeed(seed)
    context = openmm.Context(system, integrator, openmm.Platform.getPlatformByName(platform))
    positions, energies = [], []
    if output.is_file():
        done = load_trajectory(output)
        positions, energies = list(done["positions"]), list(done["energies"])
        context.loadCheckpoint(done["checkpoint"].tobytes())
    else:
        context.setPositions(start)
        openmm.LocalEnergyMinimizer.minimize(context)
        context.setVelocitiesToTemperature(temperature * unit.kelvin, seed)
    with tqdm(total=frames, initial=min(len(positions), frames), desc=f"MD {temperature:g} K", unit="frame") as progress:
        last_save = time.monotonic()
        while len(positions) < frames:
            integrator.step(steps_per_frame)
            state = context.getState(getPositions=True, getEnergy=True)
            positions.append(state.getPositions(asNumpy=True).value_in_unit(unit.nanometer).astype(np.float32))
            energies.append(state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole))
            progress.update(1)
            if len(positions) == frames or time.monotonic() - last_save >= SAVE_INTERVAL_S:
                _save(output, positions, energies, temperature, timestep_fs, context.createCheckpoint())
                last_save = time.monotonic()
    if not output.is_file():
        _save(output, positions, energies, temperature, timestep_fs, context.createCheckpoint())
    return load_trajectory(output)


def _save(output: Path, positions, energies, temperature: float, timestep_fs: float, checkpoint: bytes) -> None:
    """Write frames and the checkpoint that continues them as one file, atomically."""
    save_arrays(output, {"positions": np.array(positions, dtype=np.float32),
                         "energies": np.array(energies, dtype=np.float64), "temperature": np.float64(temperature),
                         "timestep_fs": np.float64(timestep_fs),
                         "checkpoint": np.frombuffer(checkpoint, dtype=np.uint8)})
