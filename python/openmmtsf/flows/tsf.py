# SPDX-License-Identifier: MIT
"""The temperature-steerable flow of Dibak, Klein & Noe (2020), Fig. 1."""
from __future__ import annotations

from typing import Tuple

import torch
from torch import nn

from .layers import AffineCoupling, ICNormalization, LatentScale


class TemperatureSteerableFlow(nn.Module):
    """D: (z, q) -> (x_ic, p).

    Layers, latent to data: a trainable scalar scale of z (constant Jacobian), volume-preserving affine
    couplings, and the IC normalisation (constant Jacobian). With auxiliary momenta (the default, n_aux = n) the
    couplings alternately update z from q and q from z; without (n_aux = 0) they alternately update one half of z
    from the other. Every Jacobian is constant, so the flow is exactly temperature-steerable: the prior N(0, tau)
    at tau = T / T_train gives the flow's density at temperature T.
    """

    def __init__(self, normalization: ICNormalization, training_temperature: float, layers: int = 8, hidden: int = 128,
                 momenta: bool = True):
        super().__init__()
        n = int(normalization.mean.shape[0])
        self.n_dims = n
        self.n_aux = n if momenta else 0
        self.training_temperature = float(training_temperature)
        self.split = n // 2
        halves = [(self.split, n - self.split), (n - self.split, self.split)]
        self.latent_scale = LatentScale(n)
        self.couplings = nn.ModuleList([
            AffineCoupling(n, n, hidden, volume_preserving=True) if momenta
            else AffineCoupling(halves[i % 2][0], halves[i % 2][1], hidden, volume_preserving=True)
            for i in range(layers)])
        self.normalization = normalization

    def forward(self, z: torch.Tensor, q: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        z, logdet = self.latent_scale(z)
        for i, coupling in enumerate(self.couplings):
            # With momenta: even layers update z from q, odd ones q from z. Without: halves of z.
            if self.n_aux > 0:
                if i % 2 == 0:
                    z, delta = coupling(q, z)
                else:
                    q, delta = coupling(z, q)
            else:
                a, b = z[:, :self.split], z[:, self.split:]
                if i % 2 == 0:
                    b, delta = coupling(a, b)
                else:
                    a, delta = coupling(b, a)
                z = torch.cat([a, b], dim=1)
            logdet = logdet + delta
        x, delta = self.normalization(z)
        return x, q, logdet + delta

    @torch.jit.export
    def inverse(self, x: torch.Tensor, p: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        z, logdet = self.normalization.inverse(x)
        q = p
        last = len(self.couplings) - 1
        for j, coupling in enumerate(self.couplings[::-1]):
            i = last - j
            if self.n_aux > 0:
                if i % 2 == 0:
                    z, delta = coupling.inverse(q, z)
                else:
                    q, delta = coupling.inverse(z, q)
            else:
                a, b = z[:, :self.split], z[:, self.split:]
                if i % 2 == 0:
                    b, delta = coupling.inverse(a, b)
                else:
                    a, delta = coupling.inverse(b, a)
                z = torch.cat([a, b], dim=1)
            logdet = logdet + delta
        z, delta = self.latent_scale.inverse(z)
        return z, q, logdet + delta
