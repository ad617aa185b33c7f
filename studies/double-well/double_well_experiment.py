# SPDX-License-Identifier: MIT
"""The mixture of multi-dimensional double wells (paper Fig. 2): TSF against RealNVP across temperatures.

U(x) = sum_i a_i y_i + b y_i^2 + c y_i^4 with y = A x, where a and A are random with a fixed seed. Both flows
are trained at T = 1 on parallel-tempering samples by maximum likelihood, then with the energy (KL) loss mixed in
as in the paper; their negative log-likelihood is measured on held-out parallel-tempering samples at
temperatures from 0.1 to 10, with the prior N(0, T) for both.
The TSF here has no auxiliary momenta, so both likelihoods are exact.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Tuple

import numpy as np
import torch
from tqdm import tqdm

from openmmtsf.flows import ICNormalization, RealNVP, TemperatureSteerableFlow
from openmmtsf.train import TrainingConfig, train_flow

B, C = -2.0, 0.5  # wells at y = +-2 with a barrier of 2 kT at T = 1


@dataclass
class DoubleWell:
    """The energy of one random instance."""
    linear: np.ndarray   # a, [d]
    mixing: np.ndarray   # A, [d, d]

    @staticmethod
    def random(dimensions: int, seed: int) -> "DoubleWell":
        rng = np.random.default_rng(seed)
        linear = rng.uniform(-0.5, 0.5, dimensions)
        mixing = np.eye(dimensions) + 0.3 * rng.normal(size=(dimensions, dimensions)) / math.sqrt(dimensions)
        return DoubleWell(linear, mixing)

    def energy(self, x: np.ndarray) -> np.ndarray:
        y = x @ self.mixing.T
        return (self.linear * y + B * y ** 2 + C * y ** 4).sum(axis=-1)

    def torch_energy(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """(u at T = 1, log-Jacobian 0) for the training loop's KL loss, differentiable."""
        y = x @ torch.from_numpy(self.mixing).T
        u = (torch.from_numpy(self.linear) * y + B * y ** 2 + C * y ** 4).sum(dim=1)
        return u, torch.zeros(len(x), dtype=x.dtype)


def parallel_tempering(well: DoubleWell, temperatures: np.ndarray, steps: int, keep_every: int, seed: int) -> np.ndarray:
    """Gaussian-increment Metropolis at every temperature with neighbour swaps; returns [T, samples, d]."""
    rng = np.random.default_rng(seed)
    d = len(well.linear)
    x = rng.normal(size=(len(temperatures), d))
    energy = well.energy(x)
    step = 0.3 * np.sqrt(temperatures)[:, None] / math.sqrt(d) * 2.0
    samples = []
    burn_in = steps // 5
    for t in tqdm(range(steps), desc=f"parallel tempering d={d}", unit="step"):
        proposal = x + step * rng.normal(size=x.shape)
        new_energy = well.energy(proposal)
        accept = np.log(rng.uniform(size=len(x))) < -(new_energy - energy) / temperatures
        x[accept], energy[accept] = proposal[accept], new_energy[accept]
        for i in range(t % 2, len(temperatures) - 1, 2):
            log_ratio = (1 / temperatures[i] - 1 / temperatures[i + 1]) * (energy[i] - energy[i + 1])
            if log_ratio >= 0 or rng.uniform() < math.exp(log_ratio):
                x[[i, i + 1]], energy[[i, i + 1]] = x[[i + 1, i]], energy[[i + 1, i]]
        if t >= burn_in and t % keep_every == 0:
            samples.append(x.copy())
    return np.stack(samples, axis=1)


def negative_log_likelihood(flow: torch.nn.Module, x: np.ndarray, temperature: float) -> float:
    """Mean -log p_T(x) with the prior N(0, T I)."""
    data = torch.from_numpy(x)
    with torch.no_grad():
        z, _, logdet = flow.inverse(data, torch.zeros(len(x), 0, dtype=torch.float64))
    n = z.shape[1]
    log_p = -0.5 * (z ** 2).sum(dim=1) / temperature - 0.5 * n * math.log(2 * math.pi * temperature) + logdet
    return float(-log_p.mean())


def run(dimensions: int, work: Path, seed: int = 0, iterations: int = 3000) -> Dict[str, np.ndarray]:
    """Reference samples (cached), both flows (checkpointed), and the NLL of each at every temperature."""
    work.mkdir(parents=True, exist_ok=True)
    well = DoubleWell.random(dimensions, seed)
    temperatures = np.geomspace(0.1, 10.0, 100)
    cache = work / f"double-well-{dimensions}d-samples.npz"
    if cache.is_file():
        samples = np.load(cache)["samples"]
    else:
        samples = parallel_tempering(well, temperatures, steps=50000, keep_every=5, seed=seed)
        np.savez_compressed(cache, samples=samples)
    # Even samples train, odd ones measure.
    training = torch.from_numpy(samples[np.argmin(np.abs(temperatures - 1.0)), ::2])
    held_out = samples[:, 1::2]
    normalization = ICNormalization.from_data(training, dimensions)
    config = TrainingConfig(iterations=iterations, batch_size=256, kl_weight=0.3, kl_batch_size=256,
                            learning_rate=1e-3, seed=seed)
    results = {"temperatures": temperatures}
    for name, flow in (("tsf", TemperatureSteerableFlow(normalization, 1.0, layers=6, hidden=64, momenta=False)),
                       ("realnvp", RealNVP(normalization, 1.0, layers=6, hidden=64))):
        torch.manual_seed(seed)
        stem = work / f"double-well-{dimensions}d-{name}"
        train_flow(flow, training, config, stem.with_suffix(".ckpt"), stem.with_suffix(".log.csv"), well.torch_energy)
        results[name] = np.array([negative_log_likelihood(flow, held_out[i], t) for i, t in enumerate(temperatures)])
    return results
