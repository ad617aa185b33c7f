# SPDX-License-Identifier: MIT
"""A plain RealNVP (not volume preserving, no momenta) of a size comparable to the TSF, for comparison."""
from __future__ import annotations

from typing import Tuple

import torch
from torch import nn

from .layers import AffineCoupling, ICNormalization


class RealNVP(nn.Module):
    """D: (z, q) -> (x_ic, p) with n_aux = 0: affine couplings over alternating halves of z, then the IC
    normalisation. Its Jacobian varies from point to point, so it does not scale with temperature."""

    def __init__(self, normalization: ICNormalization, training_temperature: float, layers: int = 8, hidden: int = 128):
        super().__init__()
        n = int(normalization.mean.shape[0])
        self.n_dims = n
        self.n_aux = 0
        self.training_temperature = float(training_temperature)
        self.split = n // 2
        first, second = self.split, n - self.split
        self.couplings = nn.ModuleList([
            AffineCoupling(first if i % 2 == 0 else second, second if i % 2 == 0 else first, hidden, volume_preserving=False)
            for i in range(layers)])
        self.normalization = normalization

    def forward(self, z: torch.Tensor, q: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        a, b = z[:, :self.split], z[:, self.split:]
        logdet = z.new_zeros(z.shape[0])
        for i, coupling in enumerate(self.couplings):
            if i % 2 == 0:
                b, delta = coupling(a, b)
            else:
                a, delta = coupling(b, a)
            logdet = logdet + delta
        x, delta = self.normalization(torch.cat([a, b], dim=1))
        return x, q, logdet + delta

    @torch.jit.export
    def inverse(self, x: torch.Tensor, p: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        y, logdet = self.normalization.inverse(x)
        a, b = y[:, :self.split], y[:, self.split:]
        last = len(self.couplings) - 1
        for j, coupling in enumerate(self.couplings[::-1]):
            if (last - j) % 2 == 0:
                b, delta = coupling.inverse(a, b)
            else:
                a, delta = coupling.inverse(b, a)
            logdet = logdet + delta
        return torch.cat([a, b], dim=1), p, logdet
