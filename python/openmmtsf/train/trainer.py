# SPDX-License-Identifier: MIT
"""The training loop: mixed ML and KL losses with a lambda schedule, a progress bar, a loss log, checkpoints
that let an interrupted run resume, and a fixed seed."""
from __future__ import annotations

import io
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Optional, Tuple

import torch
from tqdm import tqdm

from ..run_files import changed_settings, keep_rows_before, write_atomically
from .energy import compress_high_energies
from .losses import kl_loss, ml_loss
from .optimisation import IterationResult, optimise


class TrainingError(RuntimeError):
    """Training cannot go on; the message says why."""


@dataclass
class TrainingConfig:
    """Settings of train_flow()."""
    iterations: int = 3000
    batch_size: int = 256
    learning_rate: float = 1e-3
    #: Fraction of the iterations trained on ML alone; lambda then rises linearly to kl_weight.
    ml_only_fraction: float = 0.5
    #: Final weight lambda of the KL loss: (1 - lambda) L_ML + lambda L_KL.
    kl_weight: float = 0.2
    kl_batch_size: int = 64
    #: Reduced energy (units of kT at the training temperature) above which energies are log-compressed.
    energy_cut: float = 100.0
    gradient_clip: float = 100.0
    seed: int = 0
    checkpoint_every: int = 100
    #: Whether the learning rate falls from learning_rate to 0 along a half cosine over the iterations.
    cosine_schedule: bool = False
    #: With a validation function: stop once this many checkpoints in a row have not lowered its value, and keep
    #: the parameters of the best one (0: never stop early).
    early_stopping_checks: int = 0

    def kl_lambda(self, iteration: int) -> float:
        """The KL weight at an iteration: 0, then a linear ramp to kl_weight."""
        start = self.ml_only_fraction * self.iterations
        if iteration < start or self.kl_weight == 0.0:
            return 0.0
        return self.kl_weight * min(1.0, (iteration - start) / max(1.0, 0.5 * (self.iterations - start)))

    def learning_rate_at(self, iteration: int) -> float:
        """The learning rate of an iteration: constant, or on the half cosine."""
        if not self.cosine_schedule:
            return self.learning_rate
        return 0.5 * self.learning_rate * (1.0 + math.cos(math.pi * iteration / self.iterations))


def train_flow(flow: torch.nn.Module, training_ics: torch.Tensor, config: TrainingConfig, checkpoint: Path,
               log: Path, energy: Optional[Callable[[torch.Tensor], Tuple[torch.Tensor, torch.Tensor]]] = None,
               temperatures: Optional[torch.Tensor] = None,
               validate: Optional[Callable[[torch.nn.Module], float]] = None) -> torch.nn.Module:
    """Train a flow on internal coordinates [B, n] (and, once lambda > 0, on energies), resuming from
    ``checkpoint`` if it exists. Appends a row per iteration to the CSV ``log``.

    ``validate(flow)``, if given, is called at every checkpoint (for example the negative log-likelihood of
    held-out frames) and written to ``<log>.validation.csv``; the flow ends with the parameters of the checkpoint
    where it was lowest, and with ``config.early_stopping_checks`` > 0 training stops once that many checkpoints in
    a row have not lowered it: a guard against fitting the training frames rather than their distribution.

    A temperature-conditioned flow trains on frames from several temperatures (``temperatures``: each frame's,
    kelvin, [B]); its maximum-likelihood batches draw every temperature equally often, however many frames each
    has, and its KL batches spread their rows evenly in log T over the data's range, so that the reverse KL is
    taken along the whole ladder (``energy(ics, temperatures)`` gives u at each row's temperature).

    Raises:
        TrainingError: if the data do not fit the model, or the loss stops being finite (the last good
            checkpoint is kept).
    """
    if training_ics.ndim != 2 or training_ics.shape[1] != flow.n_dims:
        raise TrainingError(f"training data of shape {tuple(training_ics.shape)} do not match the model, which "
                            f"expects [B, {flow.n_dims}] internal coordinates")
    conditioned = bool(getattr(flow, "temperature_conditioned", False))
    if conditioned != (temperatures is not None):
        raise TrainingError("a temperature-conditioned flow needs each frame's temperature, and only such a flow "
                            "takes them")
    if config.kl_weight > 0.0 and energy is None:
        raise TrainingError("kl_weight > 0 needs an energy")
    if temperatures is not None and (temperatures.shape != (len(training_ics),) or not bool((temperatures > 0).all())):
        raise TrainingError(f"{len(training_ics)} frames need as many positive temperatures, not "
                            f"{tuple(temperatures.shape)}")
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    optimizer = torch.optim.Adam(flow.parameters(), lr=config.learning_rate)
    start = resume(checkpoint, flow, optimizer, generator, log, asdict(config))
    best = _best_checkpoint(checkpoint) if validate is not None else None
    validation_log = log.with_name(log.name.removesuffix(".csv") + ".validation.csv")
    if validate is not None:
        if start == 0:
            validation_log.write_text("iteration,value\n")
        else:
            keep_rows_before(validation_log, start + 1)
    data = training_ics.to(torch.float64)
    frame_weights = _balanced_weights(temperatures) if temperatures is not None else None
    kl_range = (float(temperatures.min()), float(temperatures.max())) if temperatures is not None else None

    def step(iteration: int) -> IterationResult:
        """One iteration's loss, (1 - lambda) L_ML + lambda L_KL."""
        weight = config.kl_lambda(iteration)
        if frame_weights is None:
            indices = torch.randint(len(data), (config.batch_size,), generator=generator)
            ml = ml_loss(flow, data[indices], generator)
        else:
            indices = torch.multinomial(frame_weights, config.batch_size, replacement=True, generator=generator)
            ml = ml_loss(flow, data[indices], generator, temperatures[indices].to(torch.float64))
        kl = torch.zeros((), dtype=torch.float64)
        if weight > 0.0:
            kl_temperatures = None if kl_range is None else log_uniform_strata(config.kl_batch_size, *kl_range,
                                                                                generator)
            kl = kl_loss(flow, energy, config.kl_batch_size, generator,
                         lambda u: compress_high_energies(u, config.energy_cut), kl_temperatures)
        loss = (1.0 - weight) * ml + weight * kl
        if not math.isfinite(loss.item()):
            raise TrainingError(f"the loss is {loss.item()} at iteration {iteration}; training stopped, and the "
                                f"last good checkpoint ({checkpoint}) is kept")
        return IterationResult(loss, [f"{weight:.4f}", f"{loss.item():.5f}", f"{ml.item():.5f}", f"{kl.item():.5f}"],
                               {"ml": f"{ml.item():.2f}", "kl": f"{kl.item():.2f}"})

    def check(done: int) -> bool:
        """Validate at a checkpoint; True once early stopping ends training."""
        nonlocal best
        best = _validated(flow, validate, done, best, validation_log)
        if config.early_stopping_checks and best["checks_since"] >= config.early_stopping_checks:
            tqdm.write(f"validation: no improvement in {best['checks_since']} checkpoints; stopped at iteration "
                       f"{done}, keeping iteration {best['iteration']}")
            return True
        return False

    optimise(optimizer, step, start=start, total=config.iterations, log=log, columns=["lambda", "loss", "ml", "kl"],
             description="training", gradient_clip=config.gradient_clip, checkpoint_every=config.checkpoint_every,
             save=lambda done: save_checkpoint(checkpoint, flow, optimizer, generator, done, asdict(config), best),
             learning_rate=config.learning_rate_at, check=check if validate is not None else None)
    if best is not None and best["flow"] is not None:
        flow.load_state_dict(best["flow"])
    return flow


def _best_checkpoint(checkpoint: Path) -> dict:
    """The best validated parameters recorded in a checkpoint (none yet for a new run)."""
    state = torch.load(checkpoint) if checkpoint.is_file() else {}
    return state.get("best") or {"value": math.inf, "iteration": 0, "flow": None, "checks_since": 0}


def _validated(flow: torch.nn.Module, validate: Callable[[torch.nn.Module], float], iteration: int, best: dict,
               validation_log: Path) -> dict:
    """Validate the flow at a checkpoint, log the value, and return the updated record of the best parameters."""
    with torch.no_grad():
        value = float(validate(flow))
    with open(validation_log, "a") as handle:
        handle.write(f"{iteration},{value:.5f}\n")
    if value < best["value"]:
        return {"value": value, "iteration": iteration, "checks_since": 0,
                "flow": {key: tensor.clone() for key, tensor in flow.state_dict().items()}}
    return {**best, "checks_since": best["checks_since"] + 1}


def _balanced_weights(temperatures: torch.Tensor) -> torch.Tensor:
    """Per-frame sampling weights under which every temperature is drawn equally often."""
    _, inverse, counts = torch.unique(temperatures, return_inverse=True, return_counts=True)
    return 1.0 / counts[inverse].to(torch.float64)


def log_uniform_strata(count: int, t_min: float, t_max: float, generator: torch.Generator) -> torch.Tensor:
    """``count`` temperatures (kelvin) spread evenly in log T over [t_min, t_max]: one drawn uniformly in log T
    from each of ``count`` equal strata."""
    fractions = (torch.arange(count, dtype=torch.float64) + torch.rand(count, dtype=torch.float64,
                                                                      generator=generator)) / count
    return t_min * (t_max / t_min) ** fractions


def resume(checkpoint: Path, flow: torch.nn.Module, optimizer: torch.optim.Optimizer, generator: torch.Generator,
           log: Path, config: dict) -> int:
    """Load a training checkpoint if there is one (and drop the log rows written after it), or start a new log.
    Returns the iteration to continue from.

    Raises:
        TrainingError: if the checkpoint was written with another ``config`` (a larger number of iterations only
            extends the run).
    """
    if not checkpoint.is_file():
        log.unlink(missing_ok=True)
        return 0
    state = torch.load(checkpoint)
    changed = [key for key in changed_settings(state.get("config", {}), config) if key != "iterations"]
    if changed:
        raise TrainingError(f"{checkpoint} holds training with other settings ({', '.join(changed)}): resume it with "
                            "the same ones, or choose another output")
    flow.load_state_dict(state["flow"])
    optimizer.load_state_dict(state["optimizer"])
    generator.set_state(state["generator"])
    keep_rows_before(log, state["iteration"])
    return state["iteration"]


def save_checkpoint(checkpoint: Path, flow: torch.nn.Module, optimizer: torch.optim.Optimizer,
                    generator: torch.Generator, iterations: int, config: dict, best: Optional[dict] = None) -> None:
    """Write a training checkpoint atomically, with the best validated parameters if train_flow() keeps them."""
    buffer = io.BytesIO()
    torch.save({"flow": flow.state_dict(), "optimizer": optimizer.state_dict(), "generator": generator.get_state(),
                "iteration": iterations, "config": config, **({"best": best} if best is not None else {})}, buffer)
    write_atomically(checkpoint, buffer.getvalue())
