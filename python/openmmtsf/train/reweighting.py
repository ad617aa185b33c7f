# SPDX-License-Identifier: MIT
"""Energy-based refinement of a temperature-conditioned flow by importance-reweighted maximum likelihood on its own
samples, at every temperature of a ladder (in the spirit of temperature-annealed Boltzmann generators).

Each iteration takes one ladder temperature T in turn, draws a batch x ~ q(.|T) from the flow, weights it by
w = exp(-U(x)/kT) |det dx/d(ic)| / q(x|T) (self-normalised over the batch; zero out of range), and takes a step on
-sum_i w_i log q(x_i|T): a stochastic estimate of the forward KL(p_T || q_T), which, unlike the reverse KL, never
rewards dropping a basin. With the chi-square objective the weights are squared (w_i^2, self-normalised): a step on
the chi-square divergence E_q[w^2] - 1, whose gradient is -E_q[w^2 grad log q], and whose minimum is the largest
reverse effective sample size; it puts density where the flow has too little, the samples that carry the heaviest
weights. Either needs a flow whose weights are not degenerate, such as one trained first by maximum likelihood on MD
data at several temperatures.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, List, Tuple

import numpy as np
import torch

from ..units import BOLTZMANN_KJ_PER_MOL_K
from .optimisation import IterationResult, optimise
from .trainer import TrainingError, resume, save_checkpoint

#: The power of the importance weights that each objective's step uses.
OBJECTIVE_WEIGHT_POWERS = {"forward-kl": 1.0, "chi-square": 2.0}

#: (ICs [B, n]) -> (potential energies [B] in kJ/mol, log|det dx/d(ic)| [B], inside the valid range [B] bool).
EnergyFunction = Callable[[np.ndarray], Tuple[np.ndarray, np.ndarray, np.ndarray]]


@dataclass
class ReweightingConfig:
    """Settings of reweighted_training()."""
    #: The ladder (kelvin), visited in turn, one temperature per iteration.
    temperatures: List[float]
    iterations: int = 1000
    batch_size: int = 512
    learning_rate: float = 1e-4
    gradient_clip: float = 100.0
    seed: int = 0
    checkpoint_every: int = 50
    #: "forward-kl" (weights w) or "chi-square" (weights w^2).
    objective: str = "forward-kl"


def reweighted_training(flow: torch.nn.Module, energies: EnergyFunction, config: ReweightingConfig, checkpoint: Path,
                        log: Path) -> torch.nn.Module:
    """Refine a temperature-conditioned flow (an nn.Module or a loaded TorchScript module) in place, resuming from
    ``checkpoint`` if it exists, with a progress bar and a CSV row per iteration in ``log`` (iteration,
    temperature, loss, the batch's effective sample size).

    Raises:
        TrainingError: for a flow that is not temperature-conditioned, bad temperatures, or a batch without one
            finite weight (the last good checkpoint is kept).
    """
    if not bool(getattr(flow, "temperature_conditioned", False)):
        raise TrainingError("reweighted training needs a temperature-conditioned flow")
    if not config.temperatures or not all(math.isfinite(t) and t > 0.0 for t in config.temperatures):
        raise TrainingError(f"the ladder needs positive, finite temperatures, not {config.temperatures}")
    if config.objective not in OBJECTIVE_WEIGHT_POWERS:
        raise TrainingError(f"unknown objective {config.objective!r}: one of {', '.join(OBJECTIVE_WEIGHT_POWERS)}")
    power = OBJECTIVE_WEIGHT_POWERS[config.objective]
    generator = torch.Generator().manual_seed(config.seed)
    parameters = [p for p in flow.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(parameters, lr=config.learning_rate)
    start = resume(checkpoint, flow, optimizer, generator, log, asdict(config))
    empty = torch.zeros(config.batch_size, flow.n_aux, dtype=torch.float64)

    def step(iteration: int) -> IterationResult:
        """One iteration's loss: the weighted negative log-likelihood of a batch the flow draws at the ladder's
        next temperature."""
        temperature = config.temperatures[iteration % len(config.temperatures)]
        rows = torch.full((config.batch_size,), temperature, dtype=torch.float64)
        z = torch.randn(config.batch_size, flow.n_dims, dtype=torch.float64, generator=generator)
        with torch.no_grad():
            ics, _, logdet = flow(z, empty, rows)
        log_q = -0.5 * (z * z).sum(dim=1) - 0.5 * flow.n_dims * math.log(2.0 * math.pi) - logdet
        potential, logdet_ic, inside = energies(ics.numpy())
        log_target = torch.from_numpy(-potential / (BOLTZMANN_KJ_PER_MOL_K * temperature) + logdet_ic)
        log_w = torch.where(torch.from_numpy(inside), log_target - log_q, torch.full_like(log_q, -math.inf))
        if not bool(torch.isfinite(log_w).any()):
            raise TrainingError(f"no sample of iteration {iteration} at {temperature:g} K has a finite weight; "
                                f"training stopped, and the last good checkpoint ({checkpoint}) is kept")
        log_w = torch.where(torch.isfinite(log_w), log_w, torch.full_like(log_w, -math.inf))
        importance = torch.softmax(log_w, dim=0)
        ess = float(1.0 / (importance * importance).sum() / config.batch_size)
        weights = torch.softmax(power * log_w, dim=0)
        used = weights > 0.0
        latent, _, logdet_inverse = flow.inverse(ics[used], empty[:int(used.sum())], rows[used])
        log_density = -0.5 * (latent * latent).sum(dim=1) + logdet_inverse
        loss = -(weights[used] * log_density).sum()
        return IterationResult(loss, [f"{temperature:g}", f"{loss.item():.5f}", f"{ess:.5f}"],
                               {"T": f"{temperature:.0f}", "ess": f"{ess:.3f}"})

    optimise(optimizer, step, start=start, total=config.iterations, log=log, columns=["temperature", "loss", "ess"],
             description="reweighted training", gradient_clip=config.gradient_clip,
             checkpoint_every=config.checkpoint_every,
             save=lambda done: save_checkpoint(checkpoint, flow, optimizer, generator, done, asdict(config)))
    return flow
