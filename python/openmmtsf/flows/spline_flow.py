# SPDX-License-Identifier: MIT
"""A flow of rational-quadratic spline couplings on the unit cube, circular on the torsions, with an optional
temperature input: every output is a valid internal-coordinate vector by construction.

Latent to data: z ~ N(0, I) -> u = Phi(z) in (0, 1)^n -> spline couplings -> x, where a torsion is
2 pi u - pi and a bond or angle comes from u through a truncated Gaussian fitted to the training data. The
couplings transform alternate halves of the coordinates, conditioned on the others (torsions seen as cos and
sin, so that the conditioners are continuous across +-pi) and, for a temperature-conditioned flow, on
log(T / T_train).
"""
import math
from typing import List, Optional, Sequence, Tuple

import torch
from torch import nn

from .splines import rational_quadratic, spline_parameters


def _normal_tail(x: torch.Tensor) -> torch.Tensor:
    """The standard normal CDF, accurate to full relative precision for x <= 0 (torch.special.ndtr is not, far
    out in the lower tail)."""
    return 0.5 * torch.special.erfc(-x / math.sqrt(2.0))


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

    The IC vector is [bonds, angles, torsions], as the plugin lays it out. A bond or angle enters the couplings
    through the cumulative distribution function of N(center, scale^2) truncated to center +- 8 scale (and to
    bonds > 0, angles inside (0, pi)): a flow whose couplings are the identity is that Gaussian, so training starts
    from the data's moments rather than from a uniform interval, and every output is a valid coordinate.

    Args:
        center, scale: [n] the mean and width of each bond and angle's Gaussian (nm, radians); ignored for torsions.
        num_bonds, num_angles: how many of the n coordinates are bonds and angles; the rest are torsions.
        training_temperature: kelvin; a conditioned flow's temperature input is log(T / training_temperature).
        temperature_conditioned: whether forward() and inverse() take each row's temperature.
        layers, bins, hidden: couplings, spline bins, MLP width.
        confined_torsions: indices of torsions that keep the sign of their center, inside (0, pi) or (-pi, 0): each
            enters like an angle, through its own truncated Gaussian, instead of on the circle. For the torsions that
            fix a stereocentre or the order of a methyl group's hydrogens (stereo_torsions()): the other sign is
            another stereoisomer or a relabelling, which MD never visits and the flow must not propose.
        relative_torsions: pairs (torsion, base) of IC indices (stereo.sibling_torsions()): the flow models
            torsion - base (wrapped into [-pi, pi)) in the torsion's place, a map of unit Jacobian; its ``center``
            and confinement refer to that difference. No base may itself be a pair's torsion.
    """

    def __init__(self, center: torch.Tensor, scale: torch.Tensor, num_bonds: int, num_angles: int,
                 training_temperature: float, temperature_conditioned: bool = False, layers: int = 8, bins: int = 8,
                 hidden: int = 128, confined_torsions: Sequence[int] = (),
                 relative_torsions: Sequence[Tuple[int, int]] = ()):
        super().__init__()
        n = int(center.numel())
        self.n_dims = n
        self.n_aux = 0
        self.training_temperature = float(training_temperature)
        self.temperature_conditioned = temperature_conditioned
        index = torch.arange(n)
        confined = torch.zeros(n, dtype=torch.bool)
        confined[list(confined_torsions)] = True
        if bool((confined & (index < num_bonds + num_angles)).any()):
            raise ValueError("confined_torsions must index torsions, not bonds or angles")
        is_torsion = (index >= num_bonds + num_angles) & ~confined  # the coordinates on the circle
        relative = torch.tensor([pair[0] for pair in relative_torsions], dtype=torch.long)
        base = torch.tensor([pair[1] for pair in relative_torsions], dtype=torch.long)
        if bool(((relative < num_bonds + num_angles) | (base < num_bonds + num_angles)).any()
                or (relative >= n).any() or (base >= n).any() or torch.isin(base, relative).any()):
            raise ValueError("relative_torsions must pair torsions with bases that are torsions and no pair's torsion")
        self.register_buffer("relative_index", relative)
        self.register_buffer("relative_base", base)
        center = torch.where(is_torsion, torch.zeros_like(center), center).to(torch.float64)
        scale = torch.where(is_torsion, torch.ones_like(scale), scale).to(torch.float64)
        if not bool((scale > 0.0).all() and torch.isfinite(scale).all() and torch.isfinite(center).all()):
            raise ValueError("every bond and angle needs a finite center and a positive, finite scale")
        self.register_buffer("is_torsion", is_torsion)
        self.register_buffer("center", center)
        self.register_buffer("scale", scale)
        if bool((confined & ((center.abs() < 1e-3) | (center.abs() > math.pi - 1e-3))).any()):
            raise ValueError("a confined torsion needs a center inside (0, pi) or (-pi, 0)")
        # The truncation, in units of scale: 8 widths, cut at 1/1000 of the center (bonds, angles) and pi (angles); a
        # confined torsion stays on its center's side of 0 and pi.
        valid_low = torch.where(confined & (center < 0), torch.full_like(center, -math.pi + 1e-3),
                                torch.where(confined, torch.full_like(center, 1e-3), 1e-3 * center.abs()))
        valid_high = torch.where(confined & (center < 0), torch.full_like(center, -1e-3),
                                 torch.where(index < num_bonds, torch.full_like(center, math.inf),
                                             torch.full_like(center, math.pi - 1e-3)))
        low = (torch.maximum(center - 8.0 * scale, valid_low) - center) / scale
        high = (torch.minimum(center + 8.0 * scale, valid_high) - center) / scale
        self.register_buffer("cdf_low", _normal_tail(low))
        self.register_buffer("tail_high", _normal_tail(-high))
        mass = 1.0 - self.cdf_low - self.tail_high
        self.register_buffer("mass", mass)
        # The constant part of log dx/du: 2 pi for a torsion, scale * mass * sqrt(2 pi) for a bond or angle.
        self.register_buffer("log_width", torch.where(is_torsion, torch.full_like(center, math.log(2.0 * math.pi)),
                                                      torch.log(scale * mass) + 0.5 * math.log(2.0 * math.pi)))
        # Alternate halves, interleaved so that each half has bonds, angles and torsions of the whole molecule.
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

    def _shift_relative(self, x: torch.Tensor, sign: float) -> torch.Tensor:
        """x with each relative torsion shifted by ``sign`` times its base, wrapped into [-pi, pi): +1 turns
        differences into torsions, -1 torsions into differences."""
        if self.relative_index.numel() == 0:
            return x
        shifted = x.index_select(1, self.relative_index) + sign * x.index_select(1, self.relative_base)
        return x.index_copy(1, self.relative_index, torch.remainder(shifted + math.pi, 2.0 * math.pi) - math.pi)

    def _to_coordinates(self, u: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """x [B, n] and log|dx/du| [B] from unit-cube points. Each tail of the truncated Gaussian is computed
        from its own side, so that neither loses precision near 0 or 1."""
        standard = torch.where(u <= 0.5, torch.special.ndtri(self.cdf_low + u * self.mass),
                               -torch.special.ndtri(self.tail_high + (1.0 - u) * self.mass))
        x = torch.where(self.is_torsion, 2.0 * math.pi * u - math.pi, self.center + self.scale * standard)
        return x, self._log_derivative(standard)

    def _log_derivative(self, standard: torch.Tensor) -> torch.Tensor:
        """log|dx/du| [B] of the map to coordinates, from each coordinate's (x - center) / scale."""
        return (self.log_width + torch.where(self.is_torsion, torch.zeros_like(standard), 0.5 * standard * standard)).sum(dim=1)

    def _to_unit_cube(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """The inverse of _to_coordinates(), with log|dx/du| [B]; a torsion of exactly pi (the IC kernel's range is
        (-pi, pi]) is the circle's point 0."""
        standard = (x - self.center) / self.scale
        interval = torch.where(standard <= 0.0, (_normal_tail(standard) - self.cdf_low) / self.mass,
                               1.0 - (_normal_tail(-standard) - self.tail_high) / self.mass)
        u = torch.where(self.is_torsion, torch.remainder((x + math.pi) / (2.0 * math.pi), 1.0), interval)
        return u, self._log_derivative(standard)

    def forward(self, z: torch.Tensor, q: torch.Tensor, temperature: Optional[torch.Tensor] = None
                ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        features = self._temperature_features(z.shape[0], temperature, z)
        u = torch.special.ndtr(z)
        logdet = (-0.5 * z * z - 0.5 * math.log(2.0 * math.pi)).sum(dim=1)
        for coupling in self.couplings:
            u, log_j = coupling(u, features)
            logdet = logdet + log_j
        x, log_map = self._to_coordinates(u)
        return self._shift_relative(x, 1.0), q, logdet + log_map

    @torch.jit.export
    def inverse(self, x: torch.Tensor, p: torch.Tensor, temperature: Optional[torch.Tensor] = None
                ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        features = self._temperature_features(x.shape[0], temperature, x)
        u, log_map = self._to_unit_cube(self._shift_relative(x, -1.0))
        logdet = -log_map
        for coupling in self.reversed_couplings:
            u, log_j = coupling.inverse(u, features)
            logdet = logdet + log_j
        z = torch.special.ndtri(u)
        return z, p, logdet + (0.5 * z * z + 0.5 * math.log(2.0 * math.pi)).sum(dim=1)

    @staticmethod
    def moments_from_data(ics: torch.Tensor, widening: float = 1.5) -> Tuple[torch.Tensor, torch.Tensor]:
        """(center, scale) of each coordinate from training data [B, n]: the mean, and `widening` times the
        standard deviation (torsions' entries are ignored by the flow)."""
        return ics.mean(dim=0), widening * ics.std(dim=0).clamp_min(1e-6)
