#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""How close flows are to the Boltzmann distribution of a dipeptide (alanine by default), at several temperatures,
side by side: the reverse effective sample size of direct flow samples, the share of samples out of range, and the
acceptance of prior (independence) moves in TSFIntegrator.

Reverse ESS: N samples (ic, p) = D(v), v from the model's latent prior at T (N(0, T/T_train) for a TSF, N(0, I) for
a temperature-conditioned model), weighted by w = pi(ic, p) / q(ic, p) with the target
pi = exp(-U/kT) |det dx/d(ic)| N(p; 0, tau) (zero out of range); ESS = (sum w)^2 / (N sum w^2), in [0, 1].
With --repeats R > 1, the ESS is given as the median [min-max] over R independent sets of N samples (seeds seed,
seed + 1, ...): with heavy-tailed weights one rare sample can halve the ESS of a set, so a single set is a noisy
measure.
phi > 0 (IS): the phi > 0 population of the target by self-normalised importance weighting of the same samples, an
estimate that needs no Markov chain (valid wherever the flow covers the target); it and the share out of range come
from the first set. Its error is the spread of ten batches of the samples divided by sqrt(10).
Run: .venv/bin/python bench/flow_quality.py MODEL.pt [MODEL.pt ...] [--temperatures 300 450 600] [--pdb MOLECULE.pdb]
"""
import argparse
import math
from pathlib import Path
from typing import Callable, Tuple

import numpy as np
import openmm
import torch
from openmm import unit

import openmmtsf
from openmmtsf.analysis import backbone_atoms, dihedral
from openmmtsf.simulation import implicit_solvent_system
from openmmtsf.train import BoltzmannEnergy
from openmmtsf.units import BOLTZMANN_KJ_PER_MOL_K

PDB = Path(__file__).resolve().parents[1] / "examples" / "data" / "alanine-dipeptide.pdb"


def molecule_transform(pdb_path: Path):
    """(the PDB, the System, the Z-matrix, its transform, the PDB's positions in nm, their frame) of a molecule."""
    pdb, system = implicit_solvent_system(pdb_path)
    definition = openmmtsf.internal_coordinates_from_topology(pdb.topology, system)
    transform = openmmtsf.InternalCoordinateTransform(definition, openmm.Platform.getPlatformByName("Reference"))
    reference = pdb.getPositions(asNumpy=True).value_in_unit(unit.nanometer)
    return pdb, system, definition, transform, reference, transform.extract_frames(reference)


def log_importance_weights(flow, transform, frame, energy: BoltzmannEnergy, temperature: float, count: int,
                           generator: torch.Generator) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Draw `count` direct samples at a temperature (kelvin) and return (log w of the samples in range, their
    molecule positions [B, M, 3] in nm, the in-range mask [count], their potential energies [B] in kJ/mol) with the
    target
    pi = exp(-U/kT) |det dx/d(ic)| N(p; 0, tau) and the latent prior N(0, tau)."""
    conditioned = bool(getattr(flow, "temperature_conditioned", False))
    tau = 1.0 if conditioned else temperature / flow.training_temperature
    z = torch.randn(count, flow.n_dims, dtype=torch.float64, generator=generator) * math.sqrt(tau)
    q = torch.randn(count, flow.n_aux, dtype=torch.float64, generator=generator) * math.sqrt(tau)
    with torch.no_grad():
        if conditioned:
            ics, p, logdet = flow(z, q, torch.full((count,), temperature, dtype=torch.float64))
        else:
            ics, p, logdet = flow(z, q)
    x, logdet_ic, out_of_range = transform.inverse(ics.numpy(), frame)
    inside = ~np.asarray(out_of_range, dtype=bool)
    energies, _ = energy.energies_and_forces(x[inside])
    latent = (z ** 2).sum(dim=1) + (q ** 2).sum(dim=1)
    log_q = -0.5 * latent.numpy() / tau - logdet.numpy()
    log_pi = (-np.asarray(energies) / (BOLTZMANN_KJ_PER_MOL_K * temperature) + np.asarray(logdet_ic)[inside]
              - 0.5 * (p ** 2).sum(dim=1).numpy()[inside] / tau)
    return log_pi - log_q[inside], x[inside], inside, np.asarray(energies)


def reverse_ess(flow, transform, frame, energy: BoltzmannEnergy, temperature: float, count: int, seed: int,
                phi_positive: Callable[[np.ndarray], np.ndarray]):
    """(reverse ESS, share out of range, phi > 0 by importance weighting and its error) of `count` direct samples at a
    temperature (kelvin); ``phi_positive`` maps the molecule's positions [B, M, 3] to the indicator [B]."""
    log_w, x, inside, _ = log_importance_weights(flow, transform, frame, energy, temperature, count,
                                                 torch.Generator().manual_seed(seed))
    finite = np.isfinite(log_w)
    if not finite.any():
        return 0.0, 1.0 - inside.mean(), math.nan, math.nan
    w = np.exp(log_w[finite] - log_w[finite].max())
    indicator = phi_positive(x[finite])
    batches = [(w[b] * indicator[b]).sum() / w[b].sum() for b in np.array_split(np.arange(len(w)), 10)]
    return (float(w.sum() ** 2 / (count * (w ** 2).sum())), float(1.0 - inside.mean()),
            float((w * indicator).sum() / w.sum()), float(np.std(batches, ddof=1) / math.sqrt(len(batches))))


def prior_acceptance(model: Path, pdb_path: Path, temperatures, steps: int, seed: int):
    """The acceptance of prior moves at each temperature: one replica each, no exchanges."""
    pdb, system = implicit_solvent_system(pdb_path)
    system.addForce(openmmtsf.TSFForce(str(model), openmmtsf.internal_coordinates_from_topology(pdb.topology, system)))
    integrator = openmmtsf.TSFIntegrator(list(temperatures))
    integrator.setPriorMoveProbability(1.0)
    integrator.setExchangeInterval(0)
    integrator.setRandomNumberSeed(seed)
    context = openmm.Context(system, integrator, openmm.Platform.getPlatformByName("Reference"))
    context.setPositions(pdb.positions)
    integrator.step(steps)
    statistics = integrator.getStatistics()
    prior = openmmtsf.TSFIntegrator.PriorMove
    return statistics["accepted"][:, prior] / statistics["attempted"][:, prior]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", type=Path, nargs="+")
    parser.add_argument("--temperatures", type=float, nargs="+", default=[300.0, 450.0, 600.0])
    parser.add_argument("--samples", type=int, default=20000)
    parser.add_argument("--steps", type=int, default=5000, help="prior moves per temperature")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=1, help="independent sets of --samples samples for the ESS")
    parser.add_argument("--pdb", type=Path, default=PDB, help="the molecule (default: alanine dipeptide)")
    args = parser.parse_args()
    pdb, system, definition, transform, reference, frame = molecule_transform(args.pdb)
    phi_atoms, _ = backbone_atoms(pdb.topology)
    particles = np.array(definition.getParticles())

    def phi_positive(x: np.ndarray) -> np.ndarray:
        full = np.repeat(reference[None], len(x), axis=0)
        full[:, particles] = x
        return (dihedral(full, phi_atoms) > 0).astype(float)

    print(f"{'model':<28}{'T (K)':>7}{'reverse ESS':>24}{'out of range':>14}{'prior acceptance':>18}"
          f"{'phi > 0 (IS)':>22}")
    for model in args.models:
        flow = torch.jit.load(str(model))
        acceptance = prior_acceptance(model, args.pdb, args.temperatures, args.steps, args.seed)
        for temperature, accepted in zip(args.temperatures, acceptance):
            energy = BoltzmannEnergy(system, transform, reference, temperature)
            sets = [reverse_ess(flow, transform, frame, energy, temperature, args.samples, args.seed + r, phi_positive)
                    for r in range(args.repeats)]
            _, outside, population, error = sets[0]
            esses = sorted(ess for ess, *_ in sets)
            spread = f"{np.median(esses):.4f} [{esses[0]:.3f}-{esses[-1]:.3f}]" if len(sets) > 1 else f"{esses[0]:.4f}"
            print(f"{model.name:<28}{temperature:>7.0f}{spread:>24}{outside:>14.4f}{accepted:>18.4f}"
                  f"{population:>13.4f} ± {error:.4f}")


if __name__ == "__main__":
    main()
