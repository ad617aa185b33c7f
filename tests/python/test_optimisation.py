# SPDX-License-Identifier: MIT
"""The optimisation loop that the training objectives share: its log, its checkpoints, a failing iteration, an
early stop, the learning-rate schedule and gradient clipping."""
import csv

import pytest
import torch

from openmmtsf.train import TrainingError
from openmmtsf.train.optimisation import IterationResult, optimise


def towards_one(parameter, fail_at=None):
    """A step on |p - 1|^2 (with SGD at learning rate 0.1: p <- 0.8 p + 0.2), raising at iteration ``fail_at``."""
    def step(iteration):
        if iteration == fail_at:
            raise TrainingError(f"no loss at iteration {iteration}")
        loss = ((parameter - 1.0) ** 2).sum()
        return IterationResult(loss, [f"{loss.item():.5f}"], {"loss": f"{loss.item():.2f}"})
    return step


def run(parameter, step, log, start=0, total=7, **hooks):
    """The checkpoints that optimise() saves (every 3 iterations and at the end)."""
    saved = []
    optimise(torch.optim.SGD([parameter], lr=0.1), step, start=start, total=total, log=log, columns=["loss"],
             description="test", gradient_clip=100.0, checkpoint_every=3, save=saved.append, **hooks)
    return saved


def log_rows(log):
    with open(log, newline="") as handle:
        return list(csv.reader(handle))


def test_every_iteration_is_logged_and_checkpoints_come_at_the_cadence_and_at_the_end(tmp_path):
    parameter = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    log = tmp_path / "log.csv"
    assert run(parameter, towards_one(parameter), log) == [3, 6, 7]
    assert torch.allclose(parameter.detach(), torch.full((2,), 1.0 - 0.8 ** 7, dtype=torch.float64))
    rows = log_rows(log)
    assert rows[0] == ["iteration", "loss"]
    assert rows[1:] == [[str(i), f"{2 * 0.64 ** i:.5f}"] for i in range(7)]
    # A resumed run appends to the log, without a second header.
    assert run(parameter, towards_one(parameter), log, start=7, total=9) == [9]
    assert [row[0] for row in log_rows(log)] == ["iteration"] + [str(i) for i in range(9)]


def test_a_failing_iteration_takes_no_step_and_saves_no_checkpoint_after_the_last_good_one(tmp_path):
    parameter = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    log = tmp_path / "log.csv"
    saved = []
    with pytest.raises(TrainingError, match="no loss at iteration 4"):
        optimise(torch.optim.SGD([parameter], lr=0.1), towards_one(parameter, fail_at=4), start=0, total=7, log=log,
                 columns=["loss"], description="test", gradient_clip=100.0, checkpoint_every=3, save=saved.append)
    assert saved == [3]
    assert torch.allclose(parameter.detach(), torch.full((2,), 1.0 - 0.8 ** 4, dtype=torch.float64))
    assert [row[0] for row in log_rows(log)[1:]] == ["0", "1", "2", "3"]


def test_a_check_that_stops_training_saves_the_run_as_finished(tmp_path):
    parameter = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    log = tmp_path / "log.csv"
    checked = []

    def check(done):
        checked.append(done)
        return done == 6

    assert run(parameter, towards_one(parameter), log, total=12, check=check) == [3, 12]
    assert checked == [3, 6]
    assert len(log_rows(log)) == 1 + 6


def test_the_learning_rate_follows_its_schedule_and_gradients_are_clipped(tmp_path):
    parameter = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([parameter], lr=1.0)

    def steep(iteration):
        loss = 1000.0 * parameter.sum()  # gradient norm 2000, clipped to 0.5: 0.25 per element
        return IterationResult(loss, [f"{loss.item():.5f}"], {})

    optimise(optimizer, steep, start=0, total=2, log=tmp_path / "log.csv", columns=["loss"], description="test",
             gradient_clip=0.5, checkpoint_every=10, save=lambda done: None,
             learning_rate=lambda iteration: 0.1 * (iteration + 1))
    assert torch.allclose(parameter.detach(), torch.full((4,), -(0.1 + 0.2) * 0.25, dtype=torch.float64))
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.2)
