# SPDX-License-Identifier: MIT
"""Flows keep their tensors on their inputs' device, as the plugin's CUDA platform needs (checked on `meta`)."""
import pytest
import torch

from conftest import ROOT
from openmmtsf.flows import ICNormalization, RealNVP, SplineFlow, TemperatureSteerableFlow
from openmmtsf.train import check_contract
from openmmtsf.train.export import ContractError, check_device_placement

SHIPPED = sorted((ROOT / "models").glob("*.pt"))


def _normalization() -> ICNormalization:
    generator = torch.Generator().manual_seed(0)
    ics = torch.cat([0.15 + 0.01 * torch.randn(200, 2, dtype=torch.float64, generator=generator),
                     1.9 + 0.1 * torch.randn(200, 2, dtype=torch.float64, generator=generator),
                     torch.rand(200, 2, dtype=torch.float64, generator=generator) * 6.0 - 3.0], dim=1)
    return ICNormalization.from_data(ics, 4)


def _spline(conditioned: bool) -> SplineFlow:
    center = torch.tensor([0.15, 0.15, 1.9, 1.9, 0.0, 0.0], dtype=torch.float64)
    scale = torch.tensor([0.01, 0.01, 0.1, 0.1, 1.0, 1.0], dtype=torch.float64)
    return SplineFlow(center, scale, 2, 2, 300.0, temperature_conditioned=conditioned, layers=2, bins=4, hidden=8)


FLOWS = {
    "spline": lambda: _spline(False),
    "conditioned spline": lambda: _spline(True),
    "realnvp": lambda: RealNVP(_normalization(), 300.0, layers=2, hidden=8),
    "tsf": lambda: TemperatureSteerableFlow(_normalization(), 300.0, layers=2, hidden=8),
}


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_every_flow_class_keeps_tensors_on_its_inputs_device(name):
    check_contract(torch.jit.script(FLOWS[name]().eval()), 6)


@pytest.mark.parametrize("path", SHIPPED, ids=[path.name for path in SHIPPED])
def test_every_shipped_model_keeps_tensors_on_its_inputs_device(path):
    check_device_placement(torch.jit.load(str(path)))


class HostTensorFlow(torch.nn.Module):
    """An identity flow whose log-determinant is made on the host, whatever its inputs' device."""

    def __init__(self, n: int):
        super().__init__()
        self.n_dims = n
        self.n_aux = 0
        self.training_temperature = 300.0

    def forward(self, z: torch.Tensor, q: torch.Tensor):
        return z, q, torch.zeros(z.shape[0], dtype=z.dtype) + z[:, 0] * 0.0

    @torch.jit.export
    def inverse(self, x: torch.Tensor, p: torch.Tensor):
        return x, p, x.new_zeros(x.shape[0])


def test_a_model_that_makes_host_tensors_is_refused_at_export():
    module = torch.jit.script(HostTensorFlow(3))
    with pytest.raises(ContractError, match=r"forward\(\) creates a tensor on the host"):
        check_contract(module, 3)
