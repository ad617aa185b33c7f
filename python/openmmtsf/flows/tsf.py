"""The temperature-steerable flow of Dibak, Klein & Noe (2020), Fig. 1."""
from __future__ import annotations

from typing import Tuple

import torch
from torch import nn

from .layers import AffineCoupling, ICNormalization, LatentScale


class TemperatureSteerableFlow(nn.Module):
    """D: (z, q) -> (x_ic, p) with auxiliary momenta of the same dimension as the ICs.

    Layers, latent to data: a trainable scalar scale of z (constant Jacobian), volume-preserving affine
    couplings that alternately update z from q and q from z, and the IC normalisation (constant Jacobian).
    Every Jacobian is constant, so the flow is exactly temperature-steerable: the prior N(0, tau) at
    tau = T / T_train gives the flow's density at temperature T.
    """

    def __init__(self, normalization: ICNormalization, training_temperature: float, layers: int = 8, hidden: int = 128):
        super().__init__()
        n = int(normalization.mean.shape[0])
        self.n_dims = n
        self.n_aux = n
        self.training_temperature = float(training_temperature)
        self.latent_scale = LatentScale(n)
        self.couplings = nn.ModuleList([AffineCoupling(n, n, hidden, volume_preserving=True) for _ in range(layers)])
        self.normalization = normalization

    def forward(self, z: torch.Tensor, q: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        z, logdet = self.latent_scale(z)
        for i, coupling in enumerate(self.couplings):
            if i % 2 == 0:
                z, delta = coupling(q, z)
            else:
                q, delta = coupling(z, q)
            logdet = logdet + delta
        x, delta = self.normalization(z)
        return x, q, logdet + delta

    @torch.jit.export
    def inverse(self, x: torch.Tensor, p: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        z, logdet = self.normalization.inverse(x)
        q = p
        last = len(self.couplings) - 1
        for j, coupling in enumerate(self.couplings[::-1]):
            if (last - j) % 2 == 0:
                z, delta = coupling.inverse(q, z)
            else:
                q, delta = coupling.inverse(z, q)
            logdet = logdet + delta
        z, delta = self.latent_scale.inverse(z)
        return z, q, logdet + delta
