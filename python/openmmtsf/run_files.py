# SPDX-License-Identifier: MIT
"""The files of a resumable run, shared by `md`, `remd`, `sample` and training: a record of the run's settings that a
resumed run must match, files written atomically, and logs and trajectories cut back to the last checkpoint."""
from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Dict, Mapping

import mdtraj
import numpy as np


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file through a temporary file in the same folder and a rename, so that it is whole or absent."""
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)


def save_arrays(path: Path, arrays: Mapping[str, np.ndarray]) -> None:
    """Write named arrays as one compressed .npz file, atomically."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    write_atomically(path, buffer.getvalue())


def settings_path(output: Path) -> Path:
    """Where the settings of a run whose output is one file (`md`, `remd`, training) are recorded: beside it."""
    return output.with_name(output.name + ".settings.json")


def changed_settings(recorded: Mapping[str, object], settings: Mapping[str, object]) -> list:
    """The names of the settings whose values differ between two records, compared as JSON (tuples are lists)."""
    recorded, settings = (json.loads(json.dumps(record, default=str)) for record in (recorded, settings))
    return sorted(key for key in set(recorded) | set(settings) if recorded.get(key) != settings.get(key))


def check_settings(path: Path, settings: Dict[str, object], run: str = "") -> None:
    """Record a run's settings in ``path`` (JSON), or, when resuming, refuse settings that differ from the recorded
    ones. ``run`` names the run in the message (default: the folder that holds ``path``).

    Raises:
        ValueError: naming the settings that differ.
    """
    if path.is_file():
        changed = changed_settings(json.loads(path.read_text()), settings)
        if changed:
            raise ValueError(f"{run or path.parent} holds a run with other settings ({', '.join(changed)}): resume it "
                             "with the same ones, choose another output, or pass --overwrite where the command has it")
    else:
        write_atomically(path, json.dumps(settings, indent=1).encode())


def check_run_settings(output: Path, settings: Dict[str, object]) -> None:
    """The settings check of a run whose output is one file (`md`, `remd`, training), recorded beside it
    (settings_path()): a run whose output exists resumes only with its recorded settings, and one whose output does
    not exist yet starts afresh with a new record. An output of an older version, which has no record, gets one.

    Raises:
        ValueError: naming the settings that differ.
    """
    record = settings_path(output)
    if not output.exists():
        record.unlink(missing_ok=True)
    check_settings(record, settings, str(output))


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


def keep_rows_before(path: Path, iterations: int) -> None:
    """Keep the header and the rows of a training log (CSV, first column: the iteration) of the ``iterations`` a
    checkpoint holds, dropping the rows written after it; nothing if there is no log."""
    if not path.exists():
        return
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    kept = rows[:1] + [row for row in rows[1:] if int(row[0]) < iterations]
    text = io.StringIO(newline="")
    csv.writer(text).writerows(kept)
    write_atomically(path, text.getvalue().encode())
