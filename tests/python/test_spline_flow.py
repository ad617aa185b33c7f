# SPDX-License-Identifier: MIT
"""Rational-quadratic spline layers and the spline flow: inversion, log-determinants, circularity, range,
TorchScript."""
import io
import math

import pytest
import torch

from openmmtsf.flows import SplineFlow
from openmmtsf.flows.splines import rational_quadratic, spline_parameters

BINS = 6


def _random_flow(conditioned: bool, seed: int = 0) -> SplineFlow:
    """A flow of 12 coordinates (3 bonds, 4 angles, 5 torsions) with random, moderately sized weights."""
    torch.manual_seed(seed)
    center = torch.tensor([0.15, 0.14, 0.16, 1.9, 2.0, 1.95, 2.2] + [0.0] * 5, dtype=torch.float64)
    scale = torch.tensor([0.01, 0.006, 0.02, 0.1, 0.08, 0.15, 0.12] + [1.0] * 5, dtype=torch.float64)
    flow = SplineFlow(center, scale, 3, 4, 300.0, temperature_conditioned=conditioned, layers=4, bins=BINS, hidden=32)
    for parameter in flow.parameters():
        torch.nn.init.normal_(parameter, std=0.15)
    return flow


def _log_density(flow, x: torch.Tensor, temperature: torch.Tensor) -> torch.Tensor:
    """log q(x) = log N(D^-1(x); 0, I) + log|det J_D^-1(x)|."""
    z, _, logdet = flow.inverse(x, torch.zeros(x.shape[0], 0, dtype=torch.float64), temperature)
    return -0.5 * (z * z).sum(dim=1) - 0.5 * z.shape[1] * math.log(2.0 * math.pi) + logdet


@pytest.mark.parametrize("circular", [False, True])
def test_splines_invert_and_their_log_derivatives_match_autograd(circular):
    torch.manual_seed(1)
    raw = 2.0 * torch.randn(64, 3, 3 * BINS + (0 if circular else 1), dtype=torch.float64)
    knots_x, knots_y, derivatives = spline_parameters(raw, BINS, circular)
    x = torch.rand(64, 3, dtype=torch.float64, requires_grad=True)
    y, log_derivative = rational_quadratic(x, knots_x, knots_y, derivatives, False)
    back, log_inverse = rational_quadratic(y, knots_x, knots_y, derivatives, True)
    assert torch.allclose(back, x, rtol=0, atol=1e-10)
    assert torch.allclose(log_derivative + log_inverse, torch.zeros_like(log_inverse), atol=1e-9)
    (gradient,) = torch.autograd.grad(y.sum(), x)
    assert torch.allclose(torch.log(gradient), log_derivative, atol=1e-9)
    ends = torch.tensor([0.0, 1.0, 1.0], dtype=torch.float64).expand(64, 3)
    assert torch.allclose(rational_quadratic(ends, knots_x, knots_y, derivatives, False)[0], ends, rtol=0, atol=1e-12)
    if circular:  # the same slope at both ends: smooth on the circle
        assert torch.allclose(derivatives[..., 0], derivatives[..., -1])


@pytest.mark.parametrize("conditioned", [False, True])
def test_the_flow_inverts_and_its_log_determinant_is_the_jacobian(conditioned):
    flow = _random_flow(conditioned)
    z = torch.randn(16, 12, dtype=torch.float64)
    empty = torch.zeros(16, 0, dtype=torch.float64)
    temperature = torch.linspace(300.0, 600.0, 16, dtype=torch.float64)
    x, _, logdet = flow(z, empty, temperature)
    back, _, logdet_inverse = flow.inverse(x, empty, temperature)
    assert torch.allclose(back, z, rtol=0, atol=1e-10)
    assert torch.allclose(logdet + logdet_inverse, torch.zeros(16, dtype=torch.float64), atol=1e-9)
    # The conditioners compute in float32: their derivatives fill the Jacobian's off-diagonal blocks, which do not
    # change the determinant but round the numerical one at about 1e-7.
    for row in range(3):
        jacobian = torch.autograd.functional.jacobian(
            lambda v: flow(v[None], empty[:1], temperature[row:row + 1])[0][0], z[row])
        assert torch.linalg.slogdet(jacobian).logabsdet.item() == pytest.approx(logdet[row].item(), abs=1e-5)


def test_every_output_is_a_valid_internal_coordinate_vector():
    flow = _random_flow(False)
    z = 4.0 * torch.randn(4096, 12, dtype=torch.float64)
    x, _, _ = flow(z, torch.zeros(4096, 0, dtype=torch.float64))
    bonds = x[:, :3]
    assert torch.all(bonds > 0.0)
    assert torch.all((bonds - flow.center[:3]).abs() <= 8.0 * flow.scale[:3] * (1.0 + 1e-12))
    assert torch.all(x[:, 3:7] > 0.0) and torch.all(x[:, 3:7] < math.pi)
    assert torch.all(x[:, 7:] >= -math.pi) and torch.all(x[:, 7:] <= math.pi)


def test_the_density_is_continuous_across_plus_minus_pi():
    flow = _random_flow(True, seed=3)
    torch.manual_seed(4)
    x, _, _ = flow(torch.randn(8, 12, dtype=torch.float64), torch.zeros(8, 0, dtype=torch.float64),
                   torch.full((8,), 400.0, dtype=torch.float64))
    temperature = torch.full((8,), 400.0, dtype=torch.float64)
    for torsion in range(7, 12):
        below, above = x.clone(), x.clone()
        below[:, torsion] = math.pi - 1e-7
        above[:, torsion] = -math.pi + 1e-7
        jump = (_log_density(flow, below, temperature) - _log_density(flow, above, temperature)).abs().max().item()
        assert jump < 1e-4, f"torsion {torsion}: the log density jumps by {jump} across +-pi"


def test_torchscript_round_trip():
    flow = _random_flow(True)
    module = torch.jit.script(flow)
    buffer = io.BytesIO()
    torch.jit.save(module, buffer)
    buffer.seek(0)
    loaded = torch.jit.load(buffer)
    assert loaded.temperature_conditioned and loaded.n_dims == 12 and loaded.n_aux == 0
    z = torch.randn(5, 12, dtype=torch.float64)
    empty = torch.zeros(5, 0, dtype=torch.float64)
    temperature = torch.full((5,), 450.0, dtype=torch.float64)
    for a, b in zip(flow(z, empty, temperature), loaded(z, empty, temperature)):
        assert torch.equal(a, b)
    x = flow(z, empty, temperature)[0]
    for a, b in zip(flow.inverse(x, empty, temperature), loaded.inverse(x, empty, temperature)):
        assert torch.equal(a, b)
    with pytest.raises(Exception, match="temperature-conditioned"):
        loaded(z, empty)


def test_an_untrained_flow_is_the_truncated_gaussian_of_its_moments():
    """Couplings start as the identity: bonds and angles then follow N(center, scale^2) truncated at 8 scales,
    torsions are uniform."""
    center = torch.tensor([0.15, 1.9, 2.0, 0.0], dtype=torch.float64)
    scale = torch.tensor([0.01, 0.1, 0.2, 1.0], dtype=torch.float64)
    flow = SplineFlow(center, scale, 1, 2, 600.0, layers=2, bins=BINS, hidden=8)
    torch.manual_seed(5)
    x, _, _ = flow(torch.randn(2000, 4, dtype=torch.float64), torch.zeros(2000, 0, dtype=torch.float64))
    standard = (x[:, :3] - center[:3]) / scale[:3]
    assert standard.mean(dim=0).abs().max() < 0.1 and (standard.std(dim=0) - 1.0).abs().max() < 0.05
    normal = torch.distributions.Normal(center[:3], scale[:3])
    mass = normal.cdf(center[:3] + 8.0 * scale[:3]) - normal.cdf(center[:3] - 8.0 * scale[:3])
    expected = (normal.log_prob(x[:, :3]) - torch.log(mass)).sum(dim=1) - math.log(2.0 * math.pi)
    assert torch.allclose(_log_density(flow, x, torch.full((2000,), 600.0, dtype=torch.float64)), expected, atol=1e-9)


def test_moments_must_be_finite_and_scales_positive():
    with pytest.raises(ValueError, match="positive, finite scale"):
        SplineFlow(torch.tensor([0.15, 0.0]), torch.tensor([0.0, 1.0]), 1, 0, 600.0)
    with pytest.raises(ValueError, match="finite center"):
        SplineFlow(torch.tensor([math.inf, 0.0]), torch.tensor([0.01, 1.0]), 1, 0, 600.0)


def test_confined_torsions_keep_their_sign_and_the_flow_stays_exact():
    """A confined torsion never leaves its center's side of 0 and pi, even in the latent tails, and the
    inverse and log-determinant stay exact there."""
    center = torch.tensor([0.15, 1.9, 2.1, -2.1, 0.0], dtype=torch.float64)
    scale = torch.tensor([0.01, 0.1, 0.5, 0.5, 1.0], dtype=torch.float64)  # wide: the truncation must do the work
    flow = SplineFlow(center, scale, 1, 1, 600.0, layers=4, bins=BINS, hidden=16, confined_torsions=[2, 3])
    torch.manual_seed(3)
    for parameter in flow.parameters():
        torch.nn.init.normal_(parameter, std=0.15)
    z = 1.5 * torch.randn(5000, 5, dtype=torch.float64)  # to |z| ~ 6; Phi(z) saturates in float64 beyond ~8
    empty = torch.zeros(5000, 0, dtype=torch.float64)
    x, _, logdet = flow(z, empty)
    assert bool((x[:, 2] > 0).all() and (x[:, 2] < math.pi).all() and (x[:, 3] < 0).all() and (x[:, 3] > -math.pi).all())
    back, _, logdet_back = flow.inverse(x, empty)
    assert torch.allclose(back, z, atol=1e-6)
    # Phi^-1 loses digits in the tails (|z| up to ~7 here): the log-determinants cancel to ~4e-6 there.
    assert torch.allclose(logdet + logdet_back, torch.zeros(5000, dtype=torch.float64), atol=1e-5)
    # log|det| of one row against autograd's Jacobian.
    row = z[:1].clone()
    jacobian = torch.autograd.functional.jacobian(lambda v: flow(v[None], empty[:1])[0][0], row[0])
    assert logdet[0].item() == pytest.approx(torch.linalg.slogdet(jacobian)[1].item(), abs=1e-6)


def test_only_torsions_with_a_side_can_be_confined():
    center = torch.tensor([0.15, 1.9, 2.1, 0.0], dtype=torch.float64)
    scale = torch.tensor([0.01, 0.1, 0.1, 1.0], dtype=torch.float64)
    with pytest.raises(ValueError, match="must index torsions"):
        SplineFlow(center, scale, 1, 1, 600.0, confined_torsions=[1])
    with pytest.raises(ValueError, match="center inside"):
        SplineFlow(center, scale, 1, 1, 600.0, confined_torsions=[3])
