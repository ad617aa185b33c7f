# SPDX-License-Identifier: MIT
"""The flow's outputs are checked on every call: wrong shapes raise, non-finite log-determinants are rejected."""
import numpy as np
import openmm
import pytest
import torch
from openmm import app

import openmmtsf
from conftest import ala2_system
from flows import AffineFlow, affine_flow_for


class ShortBatchFlow(AffineFlow):
    """An AffineFlow whose forward() drops the last row on batches larger than two (the load-time check's size)."""

    def forward(self, z: torch.Tensor, q: torch.Tensor):
        x, p, logdet = self.mean + self.scale * z, q, torch.log(self.scale).sum().expand(z.shape[0])
        if z.shape[0] > 2:
            return x[:-1], p[:-1], logdet[:-1]
        return x, p, logdet


class InfiniteLogDetFlow(AffineFlow):
    """An AffineFlow whose forward() claims log|det J| = +inf: every proposal would look infinitely likely."""

    def forward(self, z: torch.Tensor, q: torch.Tensor):
        return self.mean + self.scale * z, q, torch.full([z.shape[0]], float("inf"), dtype=z.dtype)


def _integrator_for(flow_class, ala2_pdb, replicas: int):
    system = ala2_system(ala2_pdb, app.HBonds)
    definition = openmmtsf.internal_coordinates_from_topology(ala2_pdb.topology, system)
    transform = openmmtsf.InternalCoordinateTransform(definition, openmm.Platform.getPlatformByName("Reference"))
    ics, _ = transform.forward(ala2_pdb.positions)
    template = affine_flow_for(definition, ics)
    flow = torch.jit.script(flow_class(template.mean, template.scale, 300.0))
    system.addForce(openmmtsf.TSFForce(flow, definition))
    integrator = openmmtsf.TSFIntegrator([300.0 + 50.0 * r for r in range(replicas)])
    integrator.setPriorMoveProbability(0.0)  # random-walk moves and exchanges every step, as written for
    integrator.setExchangeInterval(1)
    integrator.setRandomNumberSeed(3)
    context = openmm.Context(system, integrator, openmm.Platform.getPlatformByName("Reference"))
    context.setPositions(ala2_pdb.positions)
    return integrator, context


def test_a_short_batch_raises_a_clear_error(ala2_pdb):
    integrator, context = _integrator_for(ShortBatchFlow, ala2_pdb, replicas=3)
    with pytest.raises(openmm.OpenMMException, match=r"forward\(\) returned shape \[2, 48\].*batch of 3"):
        integrator.step(1)


def test_non_finite_log_determinants_are_rejected(ala2_pdb):
    integrator, context = _integrator_for(InfiniteLogDetFlow, ala2_pdb, replicas=2)
    energy_before = context.getState(getEnergy=True).getPotentialEnergy()
    integrator.step(20)
    statistics = integrator.getStatistics()
    assert statistics["accepted"].sum() == 0
    assert statistics["non_finite"].sum() + statistics["out_of_range"].sum() == 2 * 20
    assert statistics["non_finite"].sum() > 0
    assert context.getState(getEnergy=True).getPotentialEnergy() == energy_before


class TemperatureCheckingFlow(AffineFlow):
    """A temperature-conditioned AffineFlow that fails unless each row gets its replica's temperature."""

    def __init__(self, mean, scale, ladder):
        super().__init__(mean, scale, 300.0)
        self.temperature_conditioned = True
        self.register_buffer("ladder", torch.as_tensor(ladder, dtype=torch.float64))

    def forward(self, z: torch.Tensor, q: torch.Tensor, temperature: torch.Tensor):
        if temperature.shape[0] == self.ladder.shape[0]:  # the load-time check uses a batch of two
            torch._assert(torch.equal(temperature, self.ladder), "forward() got the wrong temperatures")
        return self.mean + self.scale * z, q, torch.log(self.scale).sum().expand(z.shape[0])

    @torch.jit.export
    def inverse(self, x: torch.Tensor, p: torch.Tensor, temperature: torch.Tensor):
        if temperature.shape[0] == self.ladder.shape[0]:  # the load-time check uses a batch of two
            torch._assert(torch.equal(temperature, self.ladder), "inverse() got the wrong temperatures")
        return (x - self.mean) / self.scale, p, -torch.log(self.scale).sum().expand(x.shape[0])


def test_a_temperature_conditioned_model_gets_each_replica_temperature(ala2_pdb):
    system = ala2_system(ala2_pdb, app.HBonds)
    definition = openmmtsf.internal_coordinates_from_topology(ala2_pdb.topology, system)
    transform = openmmtsf.InternalCoordinateTransform(definition, openmm.Platform.getPlatformByName("Reference"))
    ics, _ = transform.forward(ala2_pdb.positions)
    template = affine_flow_for(definition, ics)
    ladder = [300.0, 380.0, 470.0]
    flow = torch.jit.script(TemperatureCheckingFlow(template.mean, template.scale, ladder))
    force = openmmtsf.TSFForce(flow, definition)
    system.addForce(force)
    integrator = openmmtsf.TSFIntegrator(ladder)
    integrator.setRandomNumberSeed(3)
    integrator.setPriorMoveProbability(0.5)
    context = openmm.Context(system, integrator, openmm.Platform.getPlatformByName("Reference"))
    context.setPositions(ala2_pdb.positions)
    integrator.step(10)
    assert integrator.getStatistics()["attempted"].sum() == 30


class DeclaredButUnconditionedFlow(AffineFlow):
    """Declares temperature_conditioned, but its methods take no temperature."""

    def __init__(self, mean, scale):
        super().__init__(mean, scale, 300.0)
        self.temperature_conditioned = True


def test_a_model_must_take_the_temperature_it_declares(ala2_pdb):
    system = ala2_system(ala2_pdb, app.HBonds)
    definition = openmmtsf.internal_coordinates_from_topology(ala2_pdb.topology, system)
    n = definition.getNumInternalCoordinates()
    flow = torch.jit.script(DeclaredButUnconditionedFlow(np.full(n, 0.5), np.full(n, 0.1)))
    with pytest.raises(openmm.OpenMMException, match="must take \\(coordinates, momenta, temperatures\\)"):
        openmmtsf.TSFForce(flow, definition)
