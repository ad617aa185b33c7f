# SPDX-License-Identifier: MIT
"""The TSF training losses (paper eqs. 5 and 6), at the training temperature (tau = 1)."""
from __future__ import annotations

from typing import Callable, Optional, Tuple

import torch


def ml_loss(flow: torch.nn.Module, ics: torch.Tensor, generator: torch.Generator,
            temperatures: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Maximum likelihood: E[-log p(D^-1(ic, p)) - log|det J_{D^-1}|] with momenta p ~ N(0, I) drawn afresh,
    up to a constant. A temperature-conditioned flow gets each row's temperature (kelvin, [B])."""
    momenta = torch.randn(ics.shape[0], flow.n_aux, dtype=ics.dtype, generator=generator)
    if temperatures is None:
        z, q, logdet = flow.inverse(ics, momenta)
    else:
        z, q, logdet = flow.inverse(ics, momenta, temperatures)
    return (0.5 * (z ** 2).sum(dim=1) + 0.5 * (q ** 2).sum(dim=1) - logdet).mean()


def kl_loss(flow: torch.nn.Module, energy: Callable[..., Tuple[torch.Tensor, torch.Tensor]], batch: int,
            generator: torch.Generator, transform_energy: Callable[[torch.Tensor], torch.Tensor],
            temperatures: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Reverse KL (variational free energy): E_v[u(x) - log|det dx/d(ic)| + |p|^2/2 - log|det J_D(v)|],
    with v ~ N(0, I), (ic, p) = D(v), u the reduced energy, passed through ``transform_energy`` (outlier
    compression). A temperature-conditioned flow draws row i at ``temperatures[i]`` (kelvin, [batch]), and its u
    is U/kT at that temperature: ``energy(ics, temperatures)``."""
    n, n_aux = flow.n_dims, flow.n_aux
    z = torch.randn(batch, n, dtype=torch.float64, generator=generator)
    q = torch.randn(batch, n_aux, dtype=torch.float64, generator=generator)
    if temperatures is None:
        ics, momenta, logdet = flow(z, q)
        u, logdet_ic = energy(ics)
    else:
        ics, momenta, logdet = flow(z, q, temperatures)
        u, logdet_ic = energy(ics, temperatures)
    return (transform_energy(u) - logdet_ic + 0.5 * (momenta ** 2).sum(dim=1) - logdet).mean()
