# SPDX-License-Identifier: MIT
"""The optimisation loop that every training objective shares: a gradient step per iteration, a CSV row per
iteration, a progress bar, and a checkpoint every so many iterations and at the end."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Optional, Sequence

import torch
from tqdm import tqdm


@dataclass(frozen=True)
class IterationResult:
    """What an objective gives for one iteration."""
    #: The loss to step on (a scalar with a gradient).
    loss: torch.Tensor
    #: The log row's values after the iteration column, already formatted.
    row: Sequence[str]
    #: The progress bar's postfix.
    postfix: Dict[str, str]


def optimise(optimizer: torch.optim.Optimizer, step: Callable[[int], IterationResult], *, start: int, total: int,
             log: Path, columns: Sequence[str], description: str, gradient_clip: float, checkpoint_every: int,
             save: Callable[[int], None], learning_rate: Optional[Callable[[int], float]] = None,
             check: Optional[Callable[[int], bool]] = None) -> None:
    """Run iterations ``start`` to ``total`` - 1 of an objective: ``step(iteration)`` gives its loss (or raises
    TrainingError), and the optimizer takes a step with the gradient norm of its parameters clipped to
    ``gradient_clip``.

    Each iteration appends a row to the CSV ``log`` (the iteration, then ``columns``; the header goes into a new
    log). Every ``checkpoint_every`` iterations and after the last, the log is flushed, ``check(done)`` (if given,
    for example a validation) says whether to stop there, and ``save(done)`` writes a checkpoint of the ``done``
    iterations, or of ``total`` when training stops early, so that a rerun does not go on.
    ``learning_rate(iteration)``, if given, sets each iteration's learning rate.
    """
    parameters = [parameter for group in optimizer.param_groups for parameter in group["params"]]
    new_log = not log.exists()
    with open(log, "a", newline="") as log_file, tqdm(total=total, initial=start, desc=description,
                                                        unit="it") as progress:
        writer = csv.writer(log_file)
        if new_log:
            writer.writerow(["iteration", *columns])
        for iteration in range(start, total):
            if learning_rate is not None:
                for group in optimizer.param_groups:
                    group["lr"] = learning_rate(iteration)
            result = step(iteration)
            optimizer.zero_grad()
            result.loss.backward()
            torch.nn.utils.clip_grad_norm_(parameters, gradient_clip)
            optimizer.step()
            writer.writerow([iteration, *result.row])
            progress.set_postfix(refresh=False, **result.postfix)
            progress.update(1)
            done = iteration + 1
            if done % checkpoint_every == 0 or done == total:
                log_file.flush()
                stop = check is not None and check(done)
                save(total if stop else done)
                if stop:
                    break
