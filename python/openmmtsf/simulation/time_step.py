# SPDX-License-Identifier: MIT
"""The MD time step: its default, and the checks shared by MD and replica-exchange MD that a time step is usable and
that an output is resumed with the time step that made it."""
from __future__ import annotations

from pathlib import Path
from typing import Union

#: The default time step in fs (HBond constraints); output files of older versions, which did not record their time
#: step, were made with it.
STEP_FS = 2.0


def check_time_step(timestep_fs: float) -> None:
    """Raise ValueError unless the time step ``timestep_fs`` (fs) is positive."""
    if not timestep_fs > 0:
        raise ValueError(f"the time step must be positive, not {timestep_fs} fs")


def check_resumed_time_step(path: Union[str, Path], saved_timestep_fs: float, timestep_fs: float) -> None:
    """Raise ValueError if the output at ``path``, made with a ``saved_timestep_fs`` fs step, is to be resumed with
    another step ``timestep_fs`` (fs): one run holds one time step's distribution."""
    if saved_timestep_fs != timestep_fs:
        raise ValueError(f"{path} was made with a {saved_timestep_fs:g} fs time step, not {timestep_fs:g} fs: resume "
                         f"it with its own, or start a new output file")
