# SPDX-License-Identifier: MIT
"""Reduced energies of internal coordinates, with gradients, through OpenMM and the IC kernel."""
from __future__ import annotations

import math
from typing import Optional, Tuple

import numpy as np
import openmm
import torch
from openmm import unit

from ..tsfplugin import InternalCoordinateTransform
from ..units import BOLTZMANN_KJ_PER_MOL_K


def compress_high_energies(u: torch.Tensor, cut: float) -> torch.Tensor:
    """Reduced energies above ``cut`` grow only logarithmically: u -> cut + log(1 + u - cut). This keeps the
    rare high-energy samples of an untrained flow from dominating the loss and its gradient."""
    excess = torch.clamp(u - cut, min=0.0)
    return torch.where(u > cut, cut + torch.log1p(excess), u)


def range_penalty(ics: torch.Tensor, num_bonds: int, num_angles: int, stiffness: float = 100.0) -> torch.Tensor:
    """stiffness * (distance outside the valid range)^2, summed per row: bonds > 0, angles in (0, pi), torsions in
    (-pi, pi]. It teaches a flow to keep its mass where a Monte Carlo move can use it."""
    bonds = ics[:, :num_bonds]
    angles = ics[:, num_bonds:num_bonds + num_angles]
    torsions = ics[:, num_bonds + num_angles:]
    excess = torch.cat([torch.relu(-bonds), torch.relu(-angles), torch.relu(angles - math.pi),
                        torch.relu(torsions.abs() - math.pi)], dim=1)
    return stiffness * (excess ** 2).sum(dim=1)


class BoltzmannEnergy:
    """u(ic) = U(x(ic)) / kT and log|det dx/d(ic)| for batches of internal coordinates, differentiable.

    Positions are placed by the IC kernel in a fixed frame (that of a reference configuration); energies and
    forces come from an OpenMM Context, one configuration at a time. Gradients flow back through the IC
    kernel's vector-Jacobian product. Out-of-range ICs add range_penalty() to u.
    """

    def __init__(self, system: openmm.System, transform: InternalCoordinateTransform, reference_positions: np.ndarray,
                 temperature: float, platform: str = "Reference"):
        self.transform = transform
        self.frame = transform.extract_frames(reference_positions)
        self.particles = np.array(transform.getDefinition().getParticles())
        self.positions = np.array(reference_positions, dtype=float)
        self.temperature = float(temperature)
        self.kT = BOLTZMANN_KJ_PER_MOL_K * temperature
        self.context = openmm.Context(system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName(platform))

    def energies_and_forces(self, x: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """U [B] in kJ/mol and forces [B, M, 3] in kJ/mol/nm on the molecule's particles."""
        energies = np.empty(len(x))
        forces = np.empty_like(x)
        full = self.positions.copy()
        for b, configuration in enumerate(x):
            full[self.particles] = configuration
            self.context.setPositions(full)
            state = self.context.getState(getEnergy=True, getForces=True)
            energies[b] = state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
            forces[b] = state.getForces(asNumpy=True).value_in_unit(unit.kilojoule_per_mole / unit.nanometer)[self.particles]
        return energies, forces

    def potential_energies(self, ics: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(U [B] in kJ/mol, log|det dx/d(ic)| [B], inside [B]) for ICs [B, n]; U is NaN where an IC is out of
        range (inside is False there)."""
        x, logdet, out_of_range = self.transform.inverse(np.asarray(ics, dtype=np.float64), self.frame)
        inside = ~np.asarray(out_of_range, dtype=bool)
        energies = np.full(len(inside), np.nan)
        energies[inside] = self.energies_and_forces(x[inside])[0]
        return energies, np.asarray(logdet), inside

    def __call__(self, ics: torch.Tensor, temperatures: Optional[torch.Tensor] = None
                 ) -> Tuple[torch.Tensor, torch.Tensor]:
        """(u [B], log|det dx/d(ic)| [B]) for ICs [B, n]: u = U/kT at this energy's temperature, or at each row's
        ``temperatures`` (kelvin, [B]) if given."""
        u, logdet = _ReducedEnergy.apply(ics, self)
        definition = self.transform.getDefinition()
        u = u + range_penalty(ics, definition.getNumBonds(), definition.getNumAngles())
        if temperatures is not None:
            u = u * (self.temperature / temperatures.to(u.dtype))
        return u, logdet


class _ReducedEnergy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, ics: torch.Tensor, energy: BoltzmannEnergy):
        q = ics.detach().cpu().numpy().astype(np.float64)
        x, logdet, _ = energy.transform.inverse(q, energy.frame)
        energies, forces = energy.energies_and_forces(x)
        ctx.energy = energy
        ctx.save_for_backward(ics)
        ctx.forces = forces
        u = torch.from_numpy(energies / energy.kT).to(ics.dtype)
        return u, torch.from_numpy(np.asarray(logdet)).to(ics.dtype)

    @staticmethod
    def backward(ctx, grad_u: torch.Tensor, grad_logdet: torch.Tensor):
        (ics,) = ctx.saved_tensors
        energy: BoltzmannEnergy = ctx.energy
        grad_x = -ctx.forces / energy.kT * grad_u.detach().cpu().numpy()[:, None, None]
        grad = energy.transform.inverse_vjp(ics.detach().cpu().numpy(), energy.frame, grad_x,
                                            grad_logdet.detach().cpu().numpy())
        return torch.from_numpy(grad).to(ics.dtype), None
