# SPDX-License-Identifier: MIT
"""Energy-based (reverse KL) training of a temperature-conditioned flow along the data's temperature range."""
import math

import numpy as np
import openmm
import pytest
import torch

from conftest import ALA2_PDB
from ladder_toy import KB, reverse_ess, toy_flow, toy_potential
from openmmtsf.molecule import load_molecule
from openmmtsf.topology import internal_coordinates_from_topology
from openmmtsf.train import TrainingConfig, train_flow
from openmmtsf.train.energy import BoltzmannEnergy
from openmmtsf.train.trainer import log_uniform_strata
from openmmtsf.tsfplugin import InternalCoordinateTransform


def toy_reduced_energy(ics: torch.Tensor, temperatures: torch.Tensor):
    """u = U / kT at each row's temperature, and log|det dx/d(ic)| = 0."""
    return toy_potential(ics) / (KB * temperatures), torch.zeros(len(ics), dtype=ics.dtype)


def toy_samples(ladder, count: int):
    """``count`` exact samples of the toy target at each temperature (kelvin), with each row's temperature."""
    rng = np.random.default_rng(5)
    rows = []
    for t in ladder:
        sigma = 0.05 * math.sqrt(t / 300.0)
        rows.append(np.stack([rng.normal(1.05, sigma, count), rng.normal(1.6, sigma, count),
                              rng.vonmises(1.0, 2.0 * 300.0 / t, count)], axis=1))
    return torch.from_numpy(np.concatenate(rows)), torch.tensor(np.repeat(ladder, count), dtype=torch.float64)


def trained(kl_weight: float, tmp_path):
    """The toy flow after 1 000 iterations on 500 exact samples at 300 K and at 600 K, with the KL weight ramped to
    ``kl_weight`` over the first half."""
    data, temperatures = toy_samples([300.0, 600.0], 500)
    config = TrainingConfig(iterations=1000, batch_size=256, kl_batch_size=256, ml_only_fraction=0.0,
                            kl_weight=kl_weight, learning_rate=3e-3, seed=1)
    return train_flow(toy_flow(), data, config, tmp_path / f"kl-{kl_weight}.ckpt", tmp_path / f"kl-{kl_weight}.csv",
                      toy_reduced_energy, temperatures)


def test_reverse_kl_fits_the_flow_at_every_temperature_of_the_datas_range(tmp_path):
    checked = [300.0, 424.0, 600.0]  # 424 K: between the data's temperatures
    flow_with_kl, flow_without = trained(0.9, tmp_path), trained(0.0, tmp_path)
    with_kl = [reverse_ess(flow_with_kl, t) for t in checked]
    likelihood_only = [reverse_ess(flow_without, t) for t in checked]
    for t, kl, ml in zip(checked, with_kl, likelihood_only):
        assert kl > 0.9 and kl > ml + 0.1, f"{t} K: reverse ESS {kl:.3f} with KL, {ml:.3f} without"


def test_the_kl_batch_spreads_evenly_in_log_temperature():
    count = 7
    temperatures = log_uniform_strata(count, 300.0, 600.0, torch.Generator().manual_seed(3))
    strata = torch.log(temperatures / 300.0) / math.log(2.0) * count
    assert torch.equal(torch.floor(strata), torch.arange(count, dtype=torch.float64))


def test_the_boltzmann_energy_gives_u_at_each_rows_temperature():
    molecule = load_molecule(ALA2_PDB)
    system, positions = molecule.system, molecule.positions
    definition = internal_coordinates_from_topology(molecule.topology, system)
    transform = InternalCoordinateTransform(definition, openmm.Platform.getPlatformByName("Reference"))
    ics, _ = transform.forward(np.asarray(positions)[None, definition.getParticles()])
    energy = BoltzmannEnergy(system, transform, positions, 600.0)
    rows = torch.from_numpy(np.repeat(ics, 2, axis=0))
    at_600, logdet = energy(rows)
    per_row, logdet_per_row = energy(rows, torch.tensor([300.0, 600.0], dtype=torch.float64))
    assert per_row[1].item() == pytest.approx(at_600[1].item(), rel=1e-12)
    assert per_row[0].item() == pytest.approx(2.0 * at_600[0].item(), rel=1e-12)
    assert torch.equal(logdet, logdet_per_row)
