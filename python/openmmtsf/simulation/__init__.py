# SPDX-License-Identifier: MIT
"""Simulation drivers: MD and replica-exchange MD of a molecule (resumable, with a progress bar), which make the
training data and the references."""
from .md import load_trajectory, run_md
from .remd import run_remd

__all__ = ["load_trajectory", "run_md", "run_remd"]
