# SPDX-License-Identifier: MIT
"""Stage 3 of a fit: TSF replica exchange over the ladder with the current flow, keeping a frame of every
temperature. The sampler is exact, so these frames carry every state the flow proposes, MD-unreachable ones
included, at its Boltzmann weight: the next flow learns basin shares that no one had to supply."""
from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Sequence, Tuple

import numpy as np
import openmm
from openmm import unit
from tqdm import tqdm

from ..fingerprint import create_tsf_force
from ..molecule import Molecule
from ..run_files import write_atomically
from ..tsfplugin import TSFIntegrator

#: Steps between the checkpoints of a sampler run.
CHUNK_STEPS = 1000


def _save(path: Path, positions: list, steps: int, checkpoint: bytes) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, positions=np.array(positions, dtype=np.float32), steps=np.int64(steps),
             checkpoint=np.frombuffer(checkpoint, dtype=np.uint8))
    write_atomically(path, buffer.getvalue())


def sample_ladder(molecule: Molecule, model: Path, temperatures: Sequence[float], steps: int, frame_interval: int,
                  prior_move_probability: float, seed: int, path: Path) -> int:
    """Run TSF replica exchange (exchanges every step, one replica per temperature) for ``steps`` steps from the
    molecule's positions, saving every replica's positions every ``frame_interval`` steps to ``path`` (an .npz,
    rewritten atomically with the Context's checkpoint every CHUNK_STEPS steps, so that a stopped run resumes
    exactly). Returns the energy evaluations: one per replica and step."""
    system = copy.deepcopy(molecule.system)
    system.addForce(create_tsf_force(model, molecule.topology, system))
    integrator = TSFIntegrator([float(t) for t in temperatures])
    integrator.setPriorMoveProbability(prior_move_probability)
    integrator.setExchangeInterval(1)  # a flow still being fitted leans on exchanges more than a finished one
    integrator.setRandomNumberSeed(seed)
    context = openmm.Context(system, integrator, openmm.Platform.getPlatformByName("Reference"))
    context.setPositions(molecule.positions)
    positions, done = [], 0
    if path.is_file():
        with np.load(path) as saved:
            positions, done = list(saved["positions"]), int(saved["steps"])
            context.loadCheckpoint(saved["checkpoint"].tobytes())
    with tqdm(total=steps, initial=done, desc="TSF replica exchange", unit="step") as progress:
        while done < steps:
            chunk = min(CHUNK_STEPS, steps - done)
            for _ in range(chunk // frame_interval):
                integrator.step(frame_interval)
                positions.append([integrator.getState(r, getPositions=True).getPositions(asNumpy=True)
                                  .value_in_unit(unit.nanometer) for r in range(len(temperatures))])
            integrator.step(chunk % frame_interval)
            done += chunk
            _save(path, positions, done, context.createCheckpoint())
            progress.update(chunk)
    return steps * len(temperatures)


def ladder_frames(path: Path, temperatures: Sequence[float], held_out: float
                  ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(positions [F * R, N, 3] in nm, temperatures [F * R] in kelvin, held out [F * R] bool) of a sampler run,
    without its first tenth (the walk away from the starting positions); the last ``held_out`` share of the frames
    is marked to validate on."""
    with np.load(path) as saved:
        positions = saved["positions"].astype(np.float64)
    kept = positions[len(positions) // 10:]
    frames, replicas = kept.shape[:2]
    late = np.repeat(np.arange(frames) >= frames * (1.0 - held_out), replicas)
    return (kept.reshape(frames * replicas, *kept.shape[2:]), np.tile(np.asarray(temperatures, dtype=float), frames),
            late)
