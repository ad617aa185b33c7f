# SPDX-License-Identifier: MIT
"""Monotone rational-quadratic splines on [0, 1] (Durkan et al. 2019), interval and circular (Rezende et al. 2020).

Written here rather than taken from a library because the plugin runs the flow as TorchScript: every function
below scripts. Each spline maps [0, 1] onto itself through K bins whose widths, heights and knot derivatives
come from a conditioner. A circular spline has equal derivatives at 0 and 1, so that, read on the circle, the
map and its density are smooth across the seam; a conditioned shift then rotates the circle, so that the seam is
not a fixed point.
"""
import math
from typing import Tuple

import torch
import torch.nn.functional as F


def _softmax(raw: torch.Tensor) -> torch.Tensor:
    """Softmax over the last dimension. On CPUs F.softmax is about 4x slower than this for a last dimension of a
    few bins (libtorch 2.11), and the spline parameters are a large share of a flow call."""
    exponentials = torch.exp(raw - raw.amax(dim=-1, keepdim=True))
    return exponentials / exponentials.sum(dim=-1, keepdim=True)


def spline_parameters(raw: torch.Tensor, bins: int, circular: bool, minimum: float = 1e-3
                      ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Knots of splines from unconstrained conditioner outputs.

    Args:
        raw: [..., 3 * bins + 1] (interval) or [..., 3 * bins] (circular): widths, heights, derivatives.
        bins: K.
        circular: whether the derivative at 1 is the one at 0.
        minimum: the smallest bin width, bin height and knot derivative.

    Returns:
        knot positions x_k and y_k, [..., K + 1] each from 0 to 1, and derivatives d_k > 0, [..., K + 1].
    """
    widths = minimum + (1.0 - minimum * bins) * _softmax(raw[..., :bins])
    heights = minimum + (1.0 - minimum * bins) * _softmax(raw[..., bins:2 * bins])
    # Shifted so that raw outputs of 0 give derivatives of 1: equal bins and unit slopes are the identity.
    derivatives = minimum + F.softplus(raw[..., 2 * bins:].contiguous() + math.log(math.expm1(1.0 - minimum)))
    if circular:
        derivatives = torch.cat([derivatives, derivatives[..., :1]], dim=-1)
    zeros = torch.zeros_like(widths[..., :1])
    knots_x = torch.cat([zeros, torch.cumsum(widths, dim=-1)], dim=-1)
    knots_y = torch.cat([zeros, torch.cumsum(heights, dim=-1)], dim=-1)
    # Exact end points, whatever the rounding of the cumulative sums.
    knots_x = torch.cat([knots_x[..., :-1], torch.ones_like(zeros)], dim=-1)
    knots_y = torch.cat([knots_y[..., :-1], torch.ones_like(zeros)], dim=-1)
    return knots_x, knots_y, derivatives


def rational_quadratic(x: torch.Tensor, knots_x: torch.Tensor, knots_y: torch.Tensor, derivatives: torch.Tensor,
                       inverse: bool) -> Tuple[torch.Tensor, torch.Tensor]:
    """The spline (or its inverse) at x in [0, 1], elementwise, with log|dy/dx| (of the direction computed).

    Args:
        x: [...] points in [0, 1].
        knots_x, knots_y, derivatives: [..., K + 1] from spline_parameters().
        inverse: whether to evaluate the inverse map.

    Returns:
        (y, log|det|), each [...].
    """
    x = x.clamp(0.0, 1.0)
    search = knots_y if inverse else knots_x
    lower = torch.searchsorted(search, x.unsqueeze(-1).contiguous(), right=True).clamp(1, search.shape[-1] - 1) - 1
    upper = lower + 1
    x0, x1 = knots_x.gather(-1, lower).squeeze(-1), knots_x.gather(-1, upper).squeeze(-1)
    y0, y1 = knots_y.gather(-1, lower).squeeze(-1), knots_y.gather(-1, upper).squeeze(-1)
    d0, d1 = derivatives.gather(-1, lower).squeeze(-1), derivatives.gather(-1, upper).squeeze(-1)
    width, height = x1 - x0, y1 - y0
    slope = height / width
    if inverse:
        dy = x - y0
        a = height * (slope - d0) + dy * (d1 + d0 - 2.0 * slope)
        b = height * d0 - dy * (d1 + d0 - 2.0 * slope)
        c = -slope * dy
        discriminant = (b * b - 4.0 * a * c).clamp_min(0.0)
        theta = (2.0 * c) / (-b - torch.sqrt(discriminant))
        y = theta * width + x0
    else:
        theta = (x - x0) / width
        denominator = slope + (d1 + d0 - 2.0 * slope) * theta * (1.0 - theta)
        y = y0 + height * (slope * theta * theta + d0 * theta * (1.0 - theta)) / denominator
    one_minus = 1.0 - theta
    denominator = slope + (d1 + d0 - 2.0 * slope) * theta * one_minus
    derivative = slope * slope * (d1 * theta * theta + 2.0 * slope * theta * one_minus + d0 * one_minus * one_minus)
    log_derivative = torch.log(derivative) - 2.0 * torch.log(denominator)
    return y, (-log_derivative if inverse else log_derivative)
