# SPDX-License-Identifier: MIT
"""A flow of rational-quadratic spline couplings on the unit cube, circular on the torsions, with an optional
temperature input: every output is a valid internal-coordinate vector by construction.

Latent to data: z ~ N(0, I) -> u = Phi(z) in (0, 1)^n -> spline couplings -> x, where a torsion is
2 pi u - pi and a bond or angle is lower + (upper - lower) u, inside bounds fitted to the training data. The
couplings transform alternate halves of the coordinates, conditioned on the others (torsions seen as cos and
sin, so that the conditioners are continuous across +-pi) and, for a temperature-conditioned flow, on
log(T / T_train).
"""
import math
from typing import List, Optional, Tuple

import torch
from torch import nn

from .splines import rational_quadratic, spline_parameters


class SplineCoupling(nn.Module):
    """Splines on the `target` coordinates of a unit-cube vector, their knots from an MLP of the others.

    A circular target gets a circular spline followed by a conditioned rotation of the circle; an interval target
    gets a spline with free end derivatives. The MLP computes in float32 (fast on CPUs); the splines are float64.
    """

    def __init__(self, target: torch.Tensor, condition: torch.Tensor, is_circular: torch.Tensor, bins: int,
                 hidden: int, temperature_features: int):
        super().__init__()
        self.bins = bins
        self.register_buffer("circular_target", target[is_circular[target]])
        self.register_buffer("interval_target", target[~is_circular[target]])
        self.register_buffer("circular_condition", condition[is_circular[condition]])
        self.register_buffer("interval_condition", condition[~is_circular[condition]])
        inputs = 2 * self.circular_condition.numel() + self.interval_condition.numel() + temperature_features
        self.num_circular = int(self.circular_target.numel())
        self.num_interval = int(self.interval_target.numel())
        outputs = (self.num_circular + self.num_interval) * (3 * bins + 1)
        self.net = nn.Sequential(nn.Linear(inputs, hidden), nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU(),
                                 nn.Linear(hidden, outputs))
        last = self.net[-1]
        assert isinstance(last, nn.Linear)
        nn.init.zeros_(last.weight)  # starts as the identity
        nn.init.zeros_(last.bias)

    def _raw(self, u: torch.Tensor, temperature_features: torch.Tensor) -> torch.Tensor:
        angles = 2.0 * math.pi * u.index_select(1, self.circular_condition)
        features = torch.cat([torch.cos(angles), torch.sin(angles),
                              2.0 * u.index_select(1, self.interval_condition) - 1.0, temperature_features], dim=1)
        raw = self.net(features.to(torch.float32)).to(u.dtype)
        return raw.reshape(u.shape[0], self.num_circular + self.num_interval, 3 * self.bins + 1)

    def _transform(self, u: torch.Tensor, temperature_features: torch.Tensor, inverse: bool) -> Tuple[torch.Tensor, torch.Tensor]:
        raw = self._raw(u, temperature_features)
        logdet = torch.zeros(u.shape[0], dtype=u.dtype, device=u.device)
        out = u.clone()
        if self.num_circular > 0:
            params = raw[:, :self.num_circular]
            knots_x, knots_y, derivatives = spline_parameters(params[..., :3 * self.bins], self.bins, True)
            shift = params[..., 3 * self.bins]
            values = u.index_select(1, self.circular_target)
            if inverse:
                values, log_j = rational_quadratic(torch.remainder(values - shift, 1.0), knots_x, knots_y, derivatives, True)
            else:
                values, log_j = rational_quadratic(values, knots_x, knots_y, derivatives, False)
                values = torch.remainder(values + shift, 1.0)
            out = out.index_copy(1, self.circular_target, values)
            logdet = logdet + log_j.sum(dim=1)
        if self.num_interval > 0:
            knots_x, knots_y, derivatives = spline_parameters(raw[:, self.num_circular:], self.bins, False)
            values, log_j = rational_quadratic(u.index_select(1, self.interval_target), knots_x, knots_y, derivatives, inverse)
            out = out.index_copy(1, self.interval_target, values)
            logdet = logdet + log_j.sum(dim=1)
        return out, logdet

    def forward(self, u: torch.Tensor, temperature_features: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        return self._transform(u, temperature_features, False)

    @torch.jit.export
    def inverse(self, u: torch.Tensor, temperature_features: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        return self._transform(u, temperature_features, True)


class SplineFlow(nn.Module):
    """D: z -> x_ic under the model contract (n_aux = 0), optionally temperature-conditioned.

    Args:
        lower, upper: [n] the interval of each bond and angle (nm, radians); ignored for torsions.
        is_torsion: [n] which coordinates are torsions.
        training_temperature: kelvin; a conditioned flow's temperature input is log(T / training_temperature).
        temperature_conditioned: whether forward() and inverse() take each row's temperature.
        layers, bins, hidden: couplings, spline bins, MLP width.
    """

    def __init__(self, lower: torch.Tensor, upper: torch.Tensor, is_torsion: torch.Tensor, training_temperature: float,
                 temperature_conditioned: bool = False, layers: int = 8, bins: int = 8, hidden: int = 128):
        super().__init__()
        n = int(is_torsion.numel())
        self.n_dims = n
        self.n_aux = 0
        self.training_temperature = float(training_temperature)
        self.temperature_conditioned = temperature_conditioned
        is_torsion = is_torsion.to(torch.bool)
        self.register_buffer("is_torsion", is_torsion)
        self.register_buffer("offset", torch.where(is_torsion, torch.full_like(lower, -math.pi), lower).to(torch.float64))
        self.register_buffer("width", torch.where(is_torsion, torch.full_like(lower, 2.0 * math.pi), upper - lower).to(torch.float64))
        # Alternate halves, interleaved so that each half has bonds, angles and torsions of the whole molecule.
        index = torch.arange(n)
        masks: List[torch.Tensor] = [index % 2 == 0, index % 2 == 1, index < n // 2, index >= n // 2]
        features = 1 if temperature_conditioned else 0
        couplings = [SplineCoupling(index[masks[i % 4]], index[~masks[i % 4]], is_torsion, bins, hidden, features)
                     for i in range(layers)]
        self.couplings = nn.ModuleList(couplings)
        # The same modules in reverse order, for inverse() (TorchScript cannot iterate a ModuleList backwards).
        self.reversed_couplings = nn.ModuleList(couplings[::-1])

    def _temperature_features(self, batch: int, temperature: Optional[torch.Tensor], like: torch.Tensor) -> torch.Tensor:
        if not self.temperature_conditioned:
            return torch.zeros(batch, 0, dtype=like.dtype, device=like.device)
        if temperature is None:
            raise RuntimeError("this flow is temperature-conditioned: pass each row's temperature (kelvin)")
        return torch.log(temperature.to(like.dtype) / self.training_temperature).reshape(batch, 1)

    def forward(self, z: torch.Tensor, q: torch.Tensor, temperature: Optional[torch.Tensor] = None
                ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        features = self._temperature_features(z.shape[0], temperature, z)
        u = torch.special.ndtr(z)
        logdet = (-0.5 * z * z - 0.5 * math.log(2.0 * math.pi)).sum(dim=1)
        for coupling in self.couplings:
            u, log_j = coupling(u, features)
            logdet = logdet + log_j
        x = self.offset + self.width * u
        return x, q, logdet + torch.log(self.width).sum()

    @torch.jit.export
    def inverse(self, x: torch.Tensor, p: torch.Tensor, temperature: Optional[torch.Tensor] = None
                ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        features = self._temperature_features(x.shape[0], temperature, x)
        u = (x - self.offset) / self.width
        # A torsion of exactly pi (the IC kernel's range is (-pi, pi]) is the circle's point 0.
        u = torch.where(self.is_torsion, torch.remainder(u, 1.0), u)
        logdet = -torch.log(self.width).sum().expand(x.shape[0])
        for coupling in self.reversed_couplings:
            u, log_j = coupling.inverse(u, features)
            logdet = logdet + log_j
        z = torch.special.ndtri(u)
        return z, p, logdet + (0.5 * z * z + 0.5 * math.log(2.0 * math.pi)).sum(dim=1)

    @staticmethod
    def bounds_from_data(ics: torch.Tensor, is_torsion: torch.Tensor, margin: float = 0.5
                         ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Bond and angle intervals from training data [B, n]: the data's range widened by `margin` of it on each
        side, bonds kept positive and angles inside (0, pi)."""
        low, high = ics.min(dim=0).values, ics.max(dim=0).values
        spread = (high - low).clamp_min(1e-3)
        lower = torch.maximum(low - margin * spread, 0.5 * low)
        upper = torch.minimum(high + margin * spread, torch.full_like(high, math.pi - 1e-3))
        return torch.where(is_torsion, torch.zeros_like(lower), lower), torch.where(is_torsion, torch.ones_like(upper), upper)
