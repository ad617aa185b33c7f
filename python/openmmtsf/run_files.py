# SPDX-License-Identifier: MIT
"""Output files of a resumable run: written atomically, and cut back to a checkpoint when a run resumes."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Dict

import mdtraj


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file through a temporary file in the same folder and a rename, so that it is whole or absent."""
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)


def truncate_dcd(path: Path, frames: int) -> None:
    """Keep the first ``frames`` frames of a DCD file (frames written after a checkpoint are dropped).

    Raises:
        ValueError: if the file holds fewer frames than that: it does not belong to the checkpoint.
    """
    with mdtraj.formats.DCDTrajectoryFile(str(path)) as dcd:
        xyz, cell_lengths, cell_angles = dcd.read(n_frames=frames)
    if len(xyz) < frames:
        raise ValueError(f"{path} holds {len(xyz)} frames, fewer than the {frames} its checkpoint has written")
    partial = path.with_name(path.name + ".partial")
    with mdtraj.formats.DCDTrajectoryFile(str(partial), "w", force_overwrite=True) as dcd:
        dcd.write(xyz, cell_lengths, cell_angles)
    partial.replace(path)


def truncate_log(path: Path, last_step: int) -> None:
    """Keep the header and the rows of a StateDataReporter CSV (first column: the step) up to ``last_step``, as
    they are; a row cut short by an interruption goes too."""
    lines = path.read_text().splitlines(keepends=True)
    kept = lines[:1] + [line for line in lines[1:]
                        if line.endswith("\n") and int(line.split(",", 1)[0]) <= last_step]
    write_atomically(path, "".join(kept).encode())


def check_settings(path: Path, settings: Dict[str, object]) -> None:
    """Record a run's settings, or, when resuming, refuse settings that differ from the recorded ones.

    Raises:
        ValueError: naming the settings that differ.
    """
    if path.is_file():
        recorded = json.loads(path.read_text())
        changed = sorted(key for key in set(recorded) | set(settings) if recorded.get(key) != settings.get(key))
        if changed:
            raise ValueError(f"{path.parent} holds a run with other settings ({', '.join(changed)}): resume it with the "
                             "same ones, choose another output folder, or pass --overwrite")
    else:
        write_atomically(path, json.dumps(settings, indent=1).encode())
