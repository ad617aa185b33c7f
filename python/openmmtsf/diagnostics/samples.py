# SPDX-License-Identifier: MIT
"""Direct samples of a flow at a temperature and their importance weights against the Boltzmann distribution.

A sample is (ic, p) = F(z, q) with the latent (z, q) drawn from the flow's prior at temperature T: N(0, tau I) with
tau = T / T_train for a temperature-steerable flow, N(0, I) for a temperature-conditioned one (which is also given
T). Its log importance weight is log w = log pi(ic, p) - log q(ic, p), with the target
pi = exp(-U(x(ic)) / kT) |det dx/d(ic)| N(p; 0, tau) and q = N(z, q; 0, tau) / |det d(ic, p)/d(z, q)|, both up to
the same constant for all samples at one temperature. A sample whose internal coordinates are out of range (a bond
length <= 0, an angle outside (0, pi)) has no configuration: its weight is 0 (log w = -inf).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Dict, Optional, Protocol

import numpy as np
import torch

from ..train import BoltzmannEnergy
from ..units import BOLTZMANN_KJ_PER_MOL_K

#: Samples pushed through the flow and OpenMM at once.
BATCH = 5000
#: observe(ICs [B, n], positions [B, N, 3] in nm, in range [B]) -> {name: [B, ...] array}
Observe = Callable[[np.ndarray, np.ndarray, np.ndarray], Dict[str, np.ndarray]]


class Progress(Protocol):
    """What is told of the samples drawn, e.g. a tqdm bar."""

    def update(self, n: int) -> object:
        """``n`` more samples are drawn."""


@dataclass
class WeightedSamples:
    """Direct samples of a flow at one temperature: ``log_weights`` [N] (-inf out of range),
    ``energies_kj_per_mol`` [N] (NaN out of range), ``repeat`` [N] (the index of the independent set each sample
    belongs to) and ``observables`` (name -> [N, ...] arrays from observables.Observables, NaN or False out of
    range)."""
    temperature_k: float
    log_weights: np.ndarray
    energies_kj_per_mol: np.ndarray
    repeat: np.ndarray
    observables: Dict[str, np.ndarray]

    @property
    def inside(self) -> np.ndarray:
        """Whether each sample's internal coordinates are in range: bool [N]."""
        return np.isfinite(self.log_weights)


class DirectSampler:
    """Draws a flow's direct samples and weighs them with an OpenMM System (``energy``: its BoltzmannEnergy, whose
    transform and reference frame place the particles)."""

    def __init__(self, flow: torch.jit.ScriptModule, energy: BoltzmannEnergy):
        self.flow = flow
        self.energy = energy
        self.conditioned = bool(getattr(flow, "temperature_conditioned", False))

    def latent_variance(self, temperature_k: float) -> float:
        """tau: the variance of the latent prior at a temperature (kelvin)."""
        return 1.0 if self.conditioned else temperature_k / float(self.flow.training_temperature)

    def weigh(self, z: torch.Tensor, q: torch.Tensor, temperature_k: float):
        """(log w [B], U [B] in kJ/mol, ICs [B, n], positions [B, N, 3] in nm) of the latent rows (z, q); rows out of
        range have log w = -inf, U = NaN and the reference positions."""
        tau = self.latent_variance(temperature_k)
        count = len(z)
        with torch.no_grad():
            if self.conditioned:
                ics, p, logdet = self.flow(z, q, torch.full((count,), temperature_k, dtype=torch.float64))
            else:
                ics, p, logdet = self.flow(z, q)
        ics = ics.numpy()
        x, logdet_ic, out_of_range = self.energy.transform.inverse(ics, self.energy.frame)
        inside = ~np.asarray(out_of_range, dtype=bool)
        positions = np.repeat(self.energy.positions[None], count, axis=0)
        positions[np.ix_(inside, self.energy.particles)] = x[inside]
        energies = np.full(count, np.nan)
        energies[inside] = self.energy.energies_and_forces(x[inside])[0]
        log_q = -0.5 * ((z ** 2).sum(dim=1) + (q ** 2).sum(dim=1)).numpy() / tau - logdet.numpy()
        log_pi = (-energies / (BOLTZMANN_KJ_PER_MOL_K * temperature_k) + np.asarray(logdet_ic)
                  - 0.5 * (p ** 2).sum(dim=1).numpy() / tau)
        log_w = np.where(inside, log_pi - log_q, -np.inf)
        return log_w, energies, ics, positions

    def draw(self, temperature_k: float, count: int, seed: int, observe: Observe, progress: Optional[Progress] = None):
        """(log w [count], U [count] in kJ/mol, observables) of ``count`` direct samples at a temperature (kelvin).

        The latent draws come from ``torch.Generator().manual_seed(seed)``: z for all samples, then q, so the
        samples do not depend on BATCH. ``observe(ics, positions, inside)`` records each batch's observables;
        ``progress.update(n)`` (e.g. a tqdm bar) is told of every batch of n samples.
        """
        generator = torch.Generator().manual_seed(seed)
        scale = math.sqrt(self.latent_variance(temperature_k))
        z = torch.randn(count, int(self.flow.n_dims), dtype=torch.float64, generator=generator) * scale
        q = torch.randn(count, int(self.flow.n_aux), dtype=torch.float64, generator=generator) * scale
        parts = []
        for start in range(0, count, BATCH):
            rows = slice(start, start + BATCH)
            log_w, energies, ics, positions = self.weigh(z[rows], q[rows], temperature_k)
            parts.append((log_w, energies, observe(ics, positions, np.isfinite(log_w))))
            if progress is not None:
                progress.update(len(log_w))
        observables = {key: np.concatenate([part[2][key] for part in parts]) for key in parts[0][2]}
        return np.concatenate([part[0] for part in parts]), np.concatenate([part[1] for part in parts]), observables


def draw_repeats(sampler: DirectSampler, temperature_k: float, count: int, repeats: int, seed: int,
                 observe: Observe, progress: Optional[Progress] = None) -> WeightedSamples:
    """``repeats`` independent sets of ``count`` direct samples at a temperature (kelvin); set r is drawn with the
    seed ``seed + r``."""
    sets = [sampler.draw(temperature_k, count, seed + r, observe, progress) for r in range(repeats)]
    return WeightedSamples(temperature_k, np.concatenate([s[0] for s in sets]), np.concatenate([s[1] for s in sets]),
                           np.repeat(np.arange(repeats), count),
                           {key: np.concatenate([s[2][key] for s in sets]) for key in sets[0][2]})
