# SPDX-License-Identifier: MIT
"""The flow layers and architectures: invertibility, Jacobians, temperature scaling, export."""
import math

import pytest
import torch

import openmmtsf
from openmmtsf.flows import AffineCoupling, ICNormalization, LatentScale, RealNVP, TemperatureSteerableFlow
from openmmtsf.train import check_contract, export_model
from openmmtsf.train.export import ContractError


def random_ics(rows: int, generator: torch.Generator) -> torch.Tensor:
    """10 ICs: 3 bonds, 3 angles, 4 torsions (the torsions bunched away from -pi/pi)."""
    bonds = 0.15 + 0.01 * torch.randn(rows, 3, dtype=torch.float64, generator=generator)
    angles = 1.9 + 0.1 * torch.randn(rows, 3, dtype=torch.float64, generator=generator)
    torsions = 0.5 * torch.randn(rows, 4, dtype=torch.float64, generator=generator) + torch.tensor([3.0, 0.0, -2.0, 1.0])
    return torch.cat([bonds, angles, torch.remainder(torsions + math.pi, 2 * math.pi) - math.pi], dim=1)


def perturbed(module: torch.nn.Module, generator: torch.Generator) -> torch.nn.Module:
    """Give every parameter a random value, so that no layer is the identity."""
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.add_(0.2 * torch.randn(parameter.shape, dtype=parameter.dtype, generator=generator))
    return module


def jacobian_logdet(function, point: torch.Tensor) -> float:
    jacobian = torch.autograd.functional.jacobian(function, point)
    return torch.linalg.slogdet(jacobian)[1].item()


@pytest.fixture
def generator():
    return torch.Generator().manual_seed(0)


@pytest.fixture
def normalization(generator):
    return ICNormalization.from_data(random_ics(400, generator), 6)


def test_normalization_round_trip_and_constant_jacobian(normalization, generator):
    x = random_ics(50, generator)
    y, logdet = normalization.inverse(x)
    back, logdet_back = normalization(y)
    assert torch.allclose(back, x, atol=1e-12)
    assert torch.allclose(logdet + logdet_back, torch.zeros(50, dtype=torch.float64))
    assert torch.allclose(logdet, logdet[0].expand(50))
    assert logdet[0].item() == pytest.approx(jacobian_logdet(lambda v: normalization.inverse(v[None])[0][0], x[0]))
    # Latent points beyond the torsions' interval leave (-pi, pi] instead of wrapping.
    far = y[:1].clone()
    far[0, 8] = 50.0
    assert normalization(far)[0][0, 8].abs() > math.pi


def test_latent_scale_and_couplings_invert(generator):
    scale = perturbed(LatentScale(5), generator)
    z = torch.randn(7, 5, dtype=torch.float64, generator=generator)
    x, logdet = scale(z)
    back, logdet_back = scale.inverse(x)
    assert torch.allclose(back, z) and torch.allclose(logdet + logdet_back, torch.zeros(7, dtype=torch.float64))
    for volume_preserving in (True, False):
        coupling = perturbed(AffineCoupling(4, 6, 16, volume_preserving), generator)
        condition = torch.randn(7, 4, dtype=torch.float64, generator=generator)
        target = torch.randn(7, 6, dtype=torch.float64, generator=generator)
        out, logdet = coupling(condition, target)
        back, logdet_back = coupling.inverse(condition, out)
        assert torch.allclose(back, target, atol=1e-12)
        assert torch.allclose(logdet + logdet_back, torch.zeros(7, dtype=torch.float64), atol=1e-12)
        exact = jacobian_logdet(lambda t: coupling(condition[:1], t[None])[0][0], target[0])
        assert logdet[0].item() == pytest.approx(exact, abs=1e-6)  # float32 MLPs: autograd Jacobians to ~1e-7
        if volume_preserving:
            assert exact == pytest.approx(0.0, abs=1e-10), "a volume-preserving coupling has det = 1"
        else:
            assert abs(exact) > 1e-3


@pytest.mark.parametrize("momenta", [True, False])
def test_tsf_inverts_with_a_constant_logdet(normalization, generator, momenta):
    flow = perturbed(TemperatureSteerableFlow(normalization, 600.0, layers=4, hidden=16, momenta=momenta), generator)
    x = random_ics(20, generator)
    p = torch.randn(20, flow.n_aux, dtype=torch.float64, generator=generator)
    z, q, logdet = flow.inverse(x, p)
    back, p_back, logdet_back = flow(z, q)
    assert torch.allclose(back, x, atol=1e-10) and torch.allclose(p_back, p, atol=1e-10)
    assert torch.allclose(logdet + logdet_back, torch.zeros(20, dtype=torch.float64), atol=1e-10)
    assert torch.allclose(logdet, logdet[0].expand(20), atol=1e-12), "every TSF layer has a constant Jacobian"
    n = flow.n_dims + flow.n_aux
    joint = torch.cat([x[0], p[0]])
    exact = jacobian_logdet(lambda v: torch.cat(flow.inverse(v[None, :flow.n_dims], v[None, flow.n_dims:])[:2], dim=1)[0], joint)
    assert logdet[0].item() == pytest.approx(exact, abs=1e-6)
    assert len(joint) == n


def test_realnvp_inverts_with_a_varying_logdet(normalization, generator):
    flow = perturbed(RealNVP(normalization, 1.0, layers=4, hidden=16), generator)
    x = random_ics(20, generator)
    empty = torch.zeros(20, 0, dtype=torch.float64)
    z, _, logdet = flow.inverse(x, empty)
    back, _, logdet_back = flow(z, empty)
    assert torch.allclose(back, x, atol=1e-10)
    assert torch.allclose(logdet + logdet_back, torch.zeros(20, dtype=torch.float64), atol=1e-10)
    assert logdet.std() > 1e-3


def test_temperature_scaling_of_a_tsf_without_momenta(normalization, generator):
    """log p_T'(x) = kappa log p_T(x) + const with kappa = T / T', because the Jacobian is constant."""
    flow = perturbed(TemperatureSteerableFlow(normalization, 1.0, layers=4, hidden=16, momenta=False), generator)
    x = random_ics(30, generator)
    z, _, logdet = flow.inverse(x, torch.zeros(30, 0, dtype=torch.float64))

    def log_likelihood(tau: float) -> torch.Tensor:
        n = z.shape[1]
        return -0.5 * (z ** 2).sum(dim=1) / tau - 0.5 * n * math.log(2 * math.pi * tau) + logdet

    for tau in (0.5, 2.0, 5.0):
        difference = log_likelihood(tau) - (1.0 / tau) * log_likelihood(1.0)
        assert difference.std() < 1e-9
    plain = perturbed(RealNVP(normalization, 1.0, layers=4, hidden=16), generator)
    z, _, logdet = plain.inverse(x, torch.zeros(30, 0, dtype=torch.float64))
    assert (log_likelihood(2.0) - 0.5 * log_likelihood(1.0)).std() > 1e-3, "RealNVP does not scale exactly"


def test_export_honours_the_contract_and_loads_into_the_plugin(normalization, generator, tmp_path):
    flow = perturbed(TemperatureSteerableFlow(normalization, 600.0, layers=2, hidden=8), generator)
    with pytest.raises(ContractError, match="n_dims = 10"):
        export_model(flow, tmp_path / "bad.pt", 9)
    chain = openmmtsf.InternalCoordinates()  # 6 atoms, two fixed bonds: 3 * 6 - 6 - 2 = 10 ICs
    for i in range(6):
        chain.addAtom(i, i - 1 if i > 0 else -1, i - 2 if i > 1 else -1, i - 3 if i > 2 else -1)
    chain.setFixedBondLength(1, 0.15)
    chain.setFixedBondLength(2, 0.15)
    assert chain.getNumInternalCoordinates() == 10
    module = export_model(flow, tmp_path / "flow.pt", 10)
    force = openmmtsf.TSFForce(str(tmp_path / "flow.pt"), chain)
    assert force.getNumAuxiliary() == 10 and force.getTrainingTemperature() == 600.0
    loaded = torch.jit.load(str(tmp_path / "flow.pt"))
    x = random_ics(4, generator)
    p = torch.randn(4, 10, dtype=torch.float64, generator=generator)
    expected = flow.inverse(x, p)
    got = loaded.inverse(x, p)
    for e, g in zip(expected, got):
        assert torch.allclose(e, g)
    back = loaded(got[0], got[1])
    assert torch.allclose(back[0], x, atol=1e-10)
    check_contract(module, 10)
    with pytest.raises(ContractError, match="no method 'inverse'"):
        check_contract(torch.jit.script(torch.nn.Identity()), 10)
