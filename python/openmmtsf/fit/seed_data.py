# SPDX-License-Identifier: MIT
"""Stage 1 of a fit: short MD at the top temperature and a few below it, on several processes at once."""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import List, Tuple

import numpy as np

from ..molecule import Molecule
from ..simulation import load_trajectory, run_md
from ..simulation.md import STEP_FS
from .config import FitConfig

#: The share of each run, at its end, that training never sees and validation uses.
HELD_OUT = 0.1


def seed_runs(config: FitConfig, folder: Path) -> List[Tuple[float, int, Path, int]]:
    """(temperature in kelvin, frames, file, seed) of each seed MD run: the top temperature runs twice as long.
    Seeds start at 1: OpenMM reads a seed of 0 as "choose one at random"."""
    frames = max(1, round(config.seed_picoseconds / config.frame_interval_ps))
    return [(temperature, frames * (2 if k == 0 else 1), folder / f"md-{temperature:.0f}K.npz", config.seed + k + 1)
            for k, temperature in enumerate(config.seed_ladder())]


def _run(molecule: Molecule, temperature: float, frames: int, path: Path, seed: int, steps_per_frame: int) -> None:
    run_md(molecule, temperature, frames, path, seed=seed, steps_per_frame=steps_per_frame)


def run_seed_md(molecule: Molecule, config: FitConfig, folder: Path) -> int:
    """Run (or resume, or just load) the seed MD; returns the energy evaluations (MD steps) it took in all. With
    several workers the runs go to separate processes, each resumable on its own."""
    folder.mkdir(parents=True, exist_ok=True)
    steps_per_frame = max(1, round(config.frame_interval_ps * 1000.0 / STEP_FS))
    runs = seed_runs(config, folder)
    jobs = [(molecule, temperature, frames, path, seed, steps_per_frame) for temperature, frames, path, seed in runs]
    if config.workers == 1:
        for job in jobs:
            _run(*job)
    else:
        context = multiprocessing.get_context("fork")  # the runs need no torch: forking is safe
        with ProcessPoolExecutor(max_workers=min(config.workers, len(jobs)), mp_context=context) as pool:
            for future in [pool.submit(_run, *job) for job in jobs]:
                future.result()
    return sum(frames for _, frames, _, _ in runs) * steps_per_frame


def seed_positions(config: FitConfig, folder: Path) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(positions [F, N, 3] in nm, temperatures [F] in kelvin, held out [F] bool) of every seed MD frame; the last
    HELD_OUT of each run is held out from training, to validate on."""
    positions, temperatures, held_out = [], [], []
    for temperature, _, path, _ in seed_runs(config, folder):
        frames = load_trajectory(path)["positions"].astype(np.float64)
        positions.append(frames)
        temperatures.append(np.full(len(frames), temperature))
        held_out.append(np.arange(len(frames)) >= len(frames) * (1.0 - HELD_OUT))
    return np.concatenate(positions), np.concatenate(temperatures), np.concatenate(held_out)
