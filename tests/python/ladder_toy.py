# SPDX-License-Identifier: MIT
"""A three-coordinate toy target (a bond, an angle and a torsion) and a small temperature-conditioned spline flow,
for the tests of energy-based training along a temperature ladder."""
import numpy as np
import torch
from openmm import unit

from openmmtsf.flows import SplineFlow

KB = unit.MOLAR_GAS_CONSTANT_R.value_in_unit(unit.kilojoule_per_mole / unit.kelvin)


def toy_potential(ics):
    """U in kJ/mol (numpy or torch rows [B, 3]): harmonic bond and angle wells (sigma 0.05 nm and 0.05 rad at 300 K)
    and a cosine torsion."""
    cos = torch.cos if isinstance(ics, torch.Tensor) else np.cos
    potential = (KB * 300.0 / (2 * 0.05 ** 2)) * ((ics[:, 0] - 1.05) ** 2 + (ics[:, 1] - 1.6) ** 2)
    return potential + 2.0 * KB * 300.0 * (1.0 - cos(ics[:, 2] - 1.0))


def toy_energies(ics: np.ndarray):
    """(U [B], log|det dx/d(ic)| [B] = 0, inside [B]): the reweighting module's energy function."""
    return toy_potential(ics), np.zeros(len(ics)), np.ones(len(ics), dtype=bool)


def toy_flow() -> SplineFlow:
    torch.manual_seed(0)
    return SplineFlow(torch.tensor([1.0, 1.5, 0.0]), torch.tensor([0.1, 0.1, 1.0]), 1, 1, 600.0,
                      temperature_conditioned=True, layers=2, bins=6, hidden=16)


def reverse_ess(flow, temperature: float, count: int = 4000) -> float:
    """Reverse effective sample size (a fraction of ``count``) of the flow's samples at a temperature (kelvin)."""
    generator = torch.Generator().manual_seed(99)
    z = torch.randn(count, 3, dtype=torch.float64, generator=generator)
    with torch.no_grad():
        ics, _, logdet = flow(z, torch.zeros(count, 0, dtype=torch.float64),
                              torch.full((count,), temperature, dtype=torch.float64))
    log_w = -toy_potential(ics.numpy()) / (KB * temperature) + 0.5 * (z * z).sum(dim=1).numpy() + logdet.numpy()
    w = np.exp(log_w - log_w.max())
    return float(w.sum() ** 2 / (count * (w * w).sum()))
