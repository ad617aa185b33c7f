# SPDX-License-Identifier: MIT
"""Flow layers with constant (or, for RealNVP, per-sample) Jacobians. Every layer maps latent -> data in
``forward`` and back in ``inverse``, returning the log-determinant of that direction per row."""
from __future__ import annotations

import math
from typing import Tuple

import torch
from torch import nn


def wrap_angle(angle: torch.Tensor) -> torch.Tensor:
    """Map angles to (-pi, pi]."""
    return angle - (2.0 * math.pi) * torch.ceil((angle - math.pi) / (2.0 * math.pi))


class ICNormalization(nn.Module):
    """Raw internal coordinates (nm, radians) <-> standardised coordinates, with a constant Jacobian.

    Bonds and angles are standardised with the training data's mean and standard deviation. A torsion is
    measured from a cut placed at its least populated angle, then divided by its spread, at most pi/3: inside the
    flow it lives on a bounded interval at least +-3 wide, and the data never straddle the cut. (A broad torsion,
    such as a methyl rotor, would otherwise get an interval too narrow for a Gaussian latent.) Latent points that map beyond the interval give torsions
    outside (-pi, pi], which the IC kernel reports and a Monte Carlo move rejects; the map is a bijection on the
    valid region, so the moves stay exact.
    """

    def __init__(self, mean: torch.Tensor, scale: torch.Tensor, is_torsion: torch.Tensor):
        super().__init__()
        self.register_buffer("mean", mean.to(torch.float64))
        self.register_buffer("scale", scale.to(torch.float64))
        self.register_buffer("is_torsion", is_torsion.to(torch.bool))

    @staticmethod
    def from_data(ics: torch.Tensor, num_bonds_and_angles: int, bins: int = 72) -> "ICNormalization":
        """Fit to training data [B, n] whose last columns after ``num_bonds_and_angles`` are torsions."""
        ics = ics.to(torch.float64)
        n = ics.shape[1]
        is_torsion = torch.arange(n) >= num_bonds_and_angles
        mean = ics.mean(dim=0)
        scale = ics.std(dim=0).clamp_min(1e-6)
        for i in range(num_bonds_and_angles, n):
            counts = torch.histc(ics[:, i], bins=bins, min=-math.pi, max=math.pi)
            cut = -math.pi + (int(torch.argmin(counts)) + 0.5) * (2.0 * math.pi) / bins
            centre = wrap_angle(torch.tensor(cut + math.pi, dtype=torch.float64))
            mean[i] = centre
            scale[i] = wrap_angle(ics[:, i] - centre).std().clamp(1e-3, math.pi / 3)
        return ICNormalization(mean, scale, is_torsion)

    def forward(self, y: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        t = y * self.scale
        torsion = torch.where(t.abs() <= math.pi, wrap_angle(t + self.mean), t + self.mean + 2.0 * (2.0 * math.pi) * torch.sign(t))
        x = torch.where(self.is_torsion, torsion, t + self.mean)
        return x, torch.log(self.scale).sum().expand(y.shape[0])

    @torch.jit.export
    def inverse(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        t = torch.where(self.is_torsion, wrap_angle(x - self.mean), x - self.mean)
        return t / self.scale, -torch.log(self.scale).sum().expand(x.shape[0])


class LatentScale(nn.Module):
    """z -> k z with one trainable scalar k: the TSF's adjustment for the entropy difference between prior and
    target. Its Jacobian is the constant k^n."""

    def __init__(self, dims: int):
        super().__init__()
        self.dims = dims
        self.log_k = nn.Parameter(torch.zeros((), dtype=torch.float64))

    def forward(self, z: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        return z * torch.exp(self.log_k), (self.dims * self.log_k).expand(z.shape[0])

    @torch.jit.export
    def inverse(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        return x * torch.exp(-self.log_k), (-self.dims * self.log_k).expand(x.shape[0])


class AffineCoupling(nn.Module):
    """target <- target * exp(s(condition)) + t(condition), with an MLP for s and t.

    With ``volume_preserving`` the log scales are mean-subtracted per row, so the layer's Jacobian is 1 (the
    TSF's coupling); without it, this is a RealNVP coupling whose log-determinant is sum(s).

    The MLP computes in float32, which is an order of magnitude faster on CPUs; the affine update itself is
    float64. Both directions evaluate the MLP on the same condition, so the layer stays exactly invertible.
    """

    def __init__(self, condition_dims: int, target_dims: int, hidden: int, volume_preserving: bool):
        super().__init__()
        self.volume_preserving = volume_preserving
        self.net = nn.Sequential(
            nn.Linear(condition_dims, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, 2 * target_dims))
        last = self.net[-1]
        assert isinstance(last, nn.Linear)
        nn.init.zeros_(last.weight)
        nn.init.zeros_(last.bias)

    def _scale_shift(self, condition: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        log_scale, shift = self.net(condition.to(torch.float32)).to(condition.dtype).chunk(2, dim=1)
        log_scale = torch.tanh(log_scale)
        if self.volume_preserving:
            log_scale = log_scale - log_scale.mean(dim=1, keepdim=True)
        return log_scale, shift

    def forward(self, condition: torch.Tensor, target: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        log_scale, shift = self._scale_shift(condition)
        return target * torch.exp(log_scale) + shift, log_scale.sum(dim=1)

    @torch.jit.export
    def inverse(self, condition: torch.Tensor, target: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        log_scale, shift = self._scale_shift(condition)
        return (target - shift) * torch.exp(-log_scale), -log_scale.sum(dim=1)
