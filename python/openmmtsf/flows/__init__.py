# SPDX-License-Identifier: MIT
"""Normalizing flows that honour the plugin's model contract (docs/model-contract.md)."""
from .layers import AffineCoupling, ICNormalization, LatentScale
from .realnvp import RealNVP
from .spline_flow import SplineCoupling, SplineFlow
from .tsf import TemperatureSteerableFlow

__all__ = ["AffineCoupling", "ICNormalization", "LatentScale", "RealNVP", "SplineCoupling", "SplineFlow",
           "TemperatureSteerableFlow"]
