# SPDX-License-Identifier: MIT
"""Data generation: molecular dynamics of a molecule in implicit solvent, resumable, with a progress bar."""
from .md import load_trajectory, run_md
from .remd import run_remd
from .systems import implicit_solvent_system

__all__ = ["implicit_solvent_system", "load_trajectory", "run_md", "run_remd"]
