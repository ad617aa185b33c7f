# SPDX-License-Identifier: MIT
"""Simulation drivers: a molecule in implicit solvent, and its MD and replica-exchange MD (resumable, with a progress
bar), which make the training data and the references."""
from .md import load_trajectory, run_md
from .remd import run_remd
from .systems import implicit_solvent_system

__all__ = ["implicit_solvent_system", "load_trajectory", "run_md", "run_remd"]
