# SPDX-License-Identifier: MIT
"""The MD time step: its default, and the check shared by MD and replica-exchange MD that a time step is usable."""
from __future__ import annotations

#: The default time step in fs (HBond constraints).
STEP_FS = 2.0


def check_time_step(timestep_fs: float) -> None:
    """Raise ValueError unless the time step ``timestep_fs`` (fs) is positive."""
    if not timestep_fs > 0:
        raise ValueError(f"the time step must be positive, not {timestep_fs} fs")
