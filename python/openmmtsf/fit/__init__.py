# SPDX-License-Identifier: MIT
"""`openmmtsf fit`: a good flow for a molecule from its System alone (openmmtsf.fit.driver)."""
from .config import FitConfig, FitError
from .driver import fit

__all__ = ["FitConfig", "FitError", "fit"]
