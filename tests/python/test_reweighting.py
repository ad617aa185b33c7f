# SPDX-License-Identifier: MIT
"""Reweighted maximum likelihood: it moves a temperature-conditioned flow towards the Boltzmann distribution at
every ladder temperature, resumes, and refuses what it cannot train."""
import math

import numpy as np
import pytest
import torch

from ladder_toy import reverse_ess, toy_energies, toy_flow
from openmmtsf.flows import SplineFlow
from openmmtsf.train import ReweightingConfig, TrainingError, reweighted_training

LADDER = [300.0, 600.0]


@pytest.mark.parametrize("objective", ["forward-kl", "chi-square"])
def test_reweighting_moves_the_flow_towards_the_boltzmann_distribution_at_every_temperature(objective, tmp_path):
    flow = toy_flow()
    before = [reverse_ess(flow, t) for t in LADDER]
    config = ReweightingConfig(temperatures=LADDER, iterations=120, batch_size=256, learning_rate=1e-2, seed=1,
                               objective=objective)
    reweighted_training(flow, toy_energies, config, tmp_path / "c.ckpt", tmp_path / "log.csv")
    after = [reverse_ess(flow, t) for t in LADDER]
    for t, b, a in zip(LADDER, before, after):
        assert a > 0.9 and a > b + 0.2, f"{t} K: reverse ESS {b:.3f} -> {a:.3f}"
    rows = (tmp_path / "log.csv").read_text().splitlines()
    assert rows[0] == "iteration,temperature,loss,ess" and len(rows) == 121
    assert [row.split(",")[1] for row in rows[1:3]] == ["300", "600"]


def test_an_interrupted_refinement_resumes_to_the_same_result(tmp_path):
    config = ReweightingConfig(temperatures=LADDER, iterations=8, batch_size=32, learning_rate=1e-2, seed=2,
                               checkpoint_every=4)
    calls = []

    def interrupted(ics):
        calls.append(1)
        if len(calls) == 6:
            raise KeyboardInterrupt
        return toy_energies(ics)

    with pytest.raises(KeyboardInterrupt):
        reweighted_training(toy_flow(), interrupted, config, tmp_path / "a.ckpt", tmp_path / "a.csv")
    resumed = reweighted_training(toy_flow(), toy_energies, config, tmp_path / "a.ckpt", tmp_path / "a.csv")
    straight = reweighted_training(toy_flow(), toy_energies, config, tmp_path / "b.ckpt", tmp_path / "b.csv")
    for a, b in zip(resumed.state_dict().values(), straight.state_dict().values()):
        assert torch.equal(a, b)
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()


def test_what_reweighting_refuses(tmp_path):
    unconditioned = SplineFlow(torch.tensor([1.0, 1.5, 0.0]), torch.tensor([0.1, 0.1, 1.0]), 1, 1, 600.0, layers=2)
    with pytest.raises(TrainingError, match="temperature-conditioned"):
        reweighted_training(unconditioned, toy_energies, ReweightingConfig(temperatures=LADDER), tmp_path / "c",
                            tmp_path / "l")
    with pytest.raises(TrainingError, match="positive, finite temperatures"):
        reweighted_training(toy_flow(), toy_energies, ReweightingConfig(temperatures=[300.0, math.inf]), tmp_path / "c",
                            tmp_path / "l")

    with pytest.raises(TrainingError, match="unknown objective 'alpha': one of forward-kl, chi-square"):
        reweighted_training(toy_flow(), toy_energies, ReweightingConfig(temperatures=LADDER, objective="alpha"),
                            tmp_path / "c", tmp_path / "l")

    def nowhere(ics):
        potential, logdet, _ = toy_energies(ics)
        return potential, logdet, np.zeros(len(ics), dtype=bool)

    with pytest.raises(TrainingError, match="finite weight"):
        reweighted_training(toy_flow(), nowhere, ReweightingConfig(temperatures=LADDER, iterations=2, batch_size=8),
                            tmp_path / "c", tmp_path / "l")
