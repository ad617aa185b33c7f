# SPDX-License-Identifier: MIT
"""The record of a fit in progress (``ledger.json`` in its work folder): which stages are done, each round's
measures, and the time and energy evaluations spent. It is rewritten atomically after every stage, so a fit
stopped at any point resumes at the stage it was in."""
from __future__ import annotations

import json
import resource
import time
from pathlib import Path
from typing import Dict, List, Optional

from ..run_files import write_atomically


def _cpu_seconds() -> float:
    """User and system CPU seconds of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Ledger:
    """Stages done, round measures, and the budget spent (wall seconds, CPU seconds, energy evaluations) over
    every session of a fit."""

    def __init__(self, path: Path):
        self.path = path
        data = json.loads(path.read_text()) if path.is_file() else {}
        self.done: List[str] = data.get("done", [])
        self.rounds: List[Dict[str, object]] = data.get("rounds", [])
        self.stage_seconds: Dict[str, float] = data.get("stage_seconds", {})
        self.elapsed_s: float = data.get("elapsed_s", 0.0)
        self.cpu_s: float = data.get("cpu_s", 0.0)
        self.energies: int = data.get("energies", 0)
        self.stopped: Optional[str] = data.get("stopped")
        self._wall_mark = time.monotonic()
        self._cpu_mark = _cpu_seconds()

    def _tick(self) -> float:
        """Add the time since the last tick to the totals; returns the wall seconds added."""
        wall, cpu = time.monotonic(), _cpu_seconds()
        added = wall - self._wall_mark
        self.elapsed_s += added
        self.cpu_s += cpu - self._cpu_mark
        self._wall_mark, self._cpu_mark = wall, cpu
        return added

    def is_done(self, stage: str) -> bool:
        return stage in self.done

    def start(self, stage: str) -> None:
        """Begin a stage: time spent since the last one (a resume's set-up) is counted, not charged to it."""
        self._tick()

    def finish(self, stage: str, energies: int, round_record: Optional[Dict[str, object]] = None) -> None:
        """Record a stage as done, with the energy evaluations it spent and, for a measure, its round's record."""
        self.stage_seconds[stage] = self._tick()
        self.energies += int(energies)
        self.done.append(stage)
        if round_record is not None:
            self.rounds.append(round_record)
        self.save()

    def stop(self, reason: str) -> None:
        self._tick()
        self.stopped = reason
        self.save()

    def save(self) -> None:
        write_atomically(self.path, json.dumps({
            "done": self.done, "rounds": self.rounds, "stage_seconds": self.stage_seconds,
            "elapsed_s": self.elapsed_s, "cpu_s": self.cpu_s, "energies": self.energies,
            "stopped": self.stopped}, indent=1).encode())
