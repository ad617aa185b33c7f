# SPDX-License-Identifier: MIT
"""OpenMM reporters."""
from __future__ import annotations

from tqdm import tqdm


class ProgressReporter:
    """A progress bar over a Simulation run of known length (an ordinary OpenMM reporter)."""

    def __init__(self, total_steps: int, interval: int = 100, description: str = "sampling", initial: int = 0):
        self.interval = interval
        self.bar = tqdm(total=total_steps, initial=initial, desc=description, unit="step")
        self.last = None

    def describeNextReport(self, simulation):
        steps = self.interval - simulation.currentStep % self.interval
        return steps, False, False, False, False

    def report(self, simulation, state) -> None:
        if self.last is not None:
            self.bar.update(simulation.currentStep - self.last)
        self.last = simulation.currentStep

    def close(self) -> None:
        self.bar.close()
