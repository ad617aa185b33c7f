# SPDX-License-Identifier: MIT
"""The settings of `openmmtsf fit`, with the checks that refuse a bad budget or temperature range."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Dict, List, Optional

import numpy as np


class FitError(ValueError):
    """`fit` cannot start or go on; the message says why."""


@dataclass
class FitConfig:
    """What `fit` does at each stage. The defaults fit alanine dipeptide from scratch into 90 minutes on two cores.

    Budget: the fit stops starting new rounds once either limit would be passed; at least one is needed. Minutes
    are wall-clock minutes of the fit itself (not counting time between an interruption and the resume).
    """
    t_min: float = 300.0
    t_max: float = 600.0
    budget_minutes: Optional[float] = 90.0
    budget_energies: Optional[int] = None
    #: Temperatures of the geometric ladder that the sampler runs and the refinement visits.
    replicas: int = 6
    seed: int = 0
    #: Processes for the seed MD runs (one temperature each at a time).
    workers: int = 2
    #: Stage 1: MD at this many geometric temperatures from t_max down to t_min, the top one twice as long.
    seed_temperatures: int = 3
    seed_picoseconds: float = 5000.0
    frame_interval_ps: float = 0.5
    #: The temperature-conditioned spline flow.
    layers: int = 8
    bins: int = 8
    hidden: int = 128
    batch_size: int = 512
    #: Stage 2: maximum likelihood on the seed data (cosine-scheduled learning rate), the last tenth of each run
    #: held out: training keeps the parameters that fit it best and stops when it stops improving.
    ml_iterations: int = 3000
    ml_learning_rate: float = 1e-3
    #: Stage 3: TSF replica exchange with the current flow; a frame of every replica every sampler_frame_interval
    #: steps, the first tenth of them dropped.
    sampler_steps: int = 20000
    sampler_frame_interval: int = 5
    prior_move_probability: float = 0.5
    #: Stage 4: maximum likelihood on every round's sampler frames (the last tenth of each run held out, as in
    #: stage 2), then chi-square steps along the ladder.
    retrain_iterations: int = 1500
    retrain_learning_rate: float = 3e-4
    refine_iterations: int = 1500
    refine_learning_rate: float = 1e-4
    #: Stage 5: reverse ESS from direct samples at t_min, the ladder's geometric middle and t_max, and prior
    #: acceptance over the ladder.
    measure_samples: int = 5000
    measure_bootstrap: int = 200
    measure_prior_steps: int = 1000
    #: Rounds (stages 3-5) at most, and how many in a row may fail to raise the score before the fit stops.
    max_rounds: int = 8
    patience: int = 2

    def check(self) -> None:
        """Raises FitError for a bad budget, temperature range or stage size."""
        if not (math.isfinite(self.t_min) and math.isfinite(self.t_max) and 0.0 < self.t_min < self.t_max):
            raise FitError(f"the temperature range needs 0 < t_min < t_max, both finite (kelvin), not "
                           f"{self.t_min:g}-{self.t_max:g} K")
        if self.budget_minutes is None and self.budget_energies is None:
            raise FitError("give a budget: minutes, energy evaluations or both")
        if self.budget_minutes is not None and not (math.isfinite(self.budget_minutes) and self.budget_minutes > 0):
            raise FitError(f"the budget must be a positive, finite number of minutes, not {self.budget_minutes}")
        if self.budget_energies is not None and self.budget_energies < 1:
            raise FitError(f"the budget must be a positive number of energy evaluations, not {self.budget_energies}")
        counts = {"replicas": self.replicas - 1, "seed_temperatures": self.seed_temperatures - 1,
                  "workers": self.workers, "layers": self.layers, "bins": self.bins, "hidden": self.hidden,
                  "batch_size": self.batch_size, "ml_iterations": self.ml_iterations,
                  "sampler_steps": self.sampler_steps, "sampler_frame_interval": self.sampler_frame_interval,
                  "measure_samples": self.measure_samples, "max_rounds": self.max_rounds, "patience": self.patience}
        too_small = [name for name, value in counts.items() if value < 1]
        if too_small:
            raise FitError(f"{', '.join(too_small)} too small (replicas and seed_temperatures need 2, the rest 1)")
        if self.seed < 0:
            raise FitError(f"the seed must be 0 or more, not {self.seed}")
        if not 0.0 <= self.prior_move_probability <= 1.0:
            raise FitError(f"prior_move_probability must lie in [0, 1], not {self.prior_move_probability}")

    def ladder(self) -> List[float]:
        """The sampler's and the refinement's temperatures (kelvin), geometric from t_min to t_max."""
        return [float(t) for t in np.geomspace(self.t_min, self.t_max, self.replicas)]

    def seed_ladder(self) -> List[float]:
        """The seed MD temperatures (kelvin), from t_max down."""
        return [float(t) for t in np.geomspace(self.t_max, self.t_min, self.seed_temperatures)]

    def measured_temperatures(self) -> List[float]:
        """Where stage 5 measures the reverse ESS (kelvin): t_min, the geometric middle and t_max."""
        return [self.t_min, float(math.sqrt(self.t_min * self.t_max)), self.t_max]

    def settings(self) -> Dict[str, object]:
        """What a resumed fit must share with the run it continues: everything but the budget."""
        return {key: value for key, value in asdict(self).items() if key not in ("budget_minutes", "budget_energies")}
