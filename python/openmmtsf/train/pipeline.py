# SPDX-License-Identifier: MIT
"""Train a flow for a molecule from an MD trajectory, and export it."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Optional, Sequence, Tuple, Union

import numpy as np
import openmm
import torch

from ..fingerprint import check_model_fits, molecule_fingerprint
from ..flows import ICNormalization, RealNVP, SplineFlow, TemperatureSteerableFlow
from ..molecule import Molecule
from ..simulation import load_trajectory
from ..stereo import relative_torsion_values, stereo_torsions
from ..topology import internal_coordinates_from_topology
from ..tsfplugin import InternalCoordinateTransform, TSFForce
from .energy import BoltzmannEnergy
from .export import export_model
from .reweighting import ReweightingConfig, reweighted_training
from .trainer import TrainingConfig, TrainingError, train_flow


def build_flow(architecture: str, ics: torch.Tensor, num_bonds: int, num_angles: int, temperature: float, layers: int,
               hidden: int, temperature_conditioned: bool = False, confined_torsions: Sequence[int] = (),
               relative_torsions: Sequence[Tuple[int, int]] = ()) -> torch.nn.Module:
    """A flow of an architecture fitted to training ICs [B, n]: the TSF or RealNVP with an IC normalisation, or a
    spline flow with bond and angle Gaussians from the data (temperature-conditioned if asked; ``confined_torsions``
    keep their sign, and ``relative_torsions`` are modelled as differences from their bases, SplineFlow)."""
    if architecture == "spline":
        relative_ics = torch.from_numpy(relative_torsion_values(ics.numpy(), relative_torsions))
        center, scale = SplineFlow.moments_from_data(relative_ics)
        return SplineFlow(center, scale, num_bonds, num_angles, temperature, temperature_conditioned=temperature_conditioned,
                          layers=layers, hidden=hidden, confined_torsions=confined_torsions,
                          relative_torsions=relative_torsions)
    if confined_torsions or relative_torsions:
        raise TrainingError(f"the {architecture} architecture cannot confine torsions: use the spline architecture")
    if temperature_conditioned:
        raise TrainingError(f"the {architecture} architecture is not temperature-conditioned: train it on one temperature")
    normalization = ICNormalization.from_data(ics, num_bonds + num_angles)
    flow_class = {"tsf": TemperatureSteerableFlow, "realnvp": RealNVP}[architecture]
    return flow_class(normalization, temperature, layers=layers, hidden=hidden)


def train_molecule(molecule: Molecule, trajectories: Union[str, Path, Sequence[Union[str, Path]]],
                   output: Union[str, Path], config: TrainingConfig, architecture: str = "tsf", layers: int = 8,
                   hidden: int = 128, confine_stereo: bool = False,
                   initial_model: Optional[Union[str, Path]] = None) -> Path:
    """Train a flow on MD trajectories of a molecule (openmmtsf.molecule) and export it, with the molecule's
    fingerprint inside (openmmtsf.fingerprint).

    Trajectories at one temperature train a flow at that temperature. Trajectories at several temperatures train
    a temperature-conditioned spline flow, by maximum likelihood, whose training temperature (where its conditioner
    input is 0) is the highest of them. A new flow's initial parameters are drawn with ``config.seed``, so a run is
    reproducible. The checkpoint and the loss log go next to the output (``<output>.ckpt``,
    ``<output>.log.csv``), so a re-run resumes; the exported model is checked by loading it into the plugin.
    With ``confine_stereo`` a spline flow keeps the sign of the torsions that fix stereocentres and the order of
    equivalent hydrogens in the data (openmmtsf.stereo). With ``initial_model`` training continues from a trained
    model (TorchScript; its own architecture, so ``architecture``, ``layers``, ``hidden`` and ``confine_stereo`` do
    not apply), for example to add energy-based (KL) training to a maximum-likelihood flow.
    """
    output = Path(output)
    paths = [trajectories] if isinstance(trajectories, (str, Path)) else list(trajectories)
    if not paths:
        raise TrainingError("no training trajectory given")
    system = molecule.system
    definition = internal_coordinates_from_topology(molecule.topology, system)
    fingerprint = molecule_fingerprint(molecule.topology, system, definition)
    transform = InternalCoordinateTransform(definition, openmm.Platform.getPlatformByName("Reference"))
    all_ics, all_temperatures, first_positions = [], [], None
    for path in paths:
        data = load_trajectory(path)
        positions = data["positions"].astype(np.float64)
        if positions.ndim != 3 or positions.shape[1:] != (system.getNumParticles(), 3):
            raise TrainingError(f"the trajectory {path} has positions of shape {positions.shape}, but the molecule "
                                f"has {system.getNumParticles()} particles")
        ics, _ = transform.forward(positions[:, definition.getParticles()])
        all_ics.append(torch.from_numpy(ics))
        all_temperatures.append(torch.full((len(ics),), float(data["temperature"]), dtype=torch.float64))
        first_positions = positions[0] if first_positions is None else first_positions
    ics = torch.cat(all_ics)
    temperatures = torch.cat(all_temperatures)
    temperature = float(temperatures.max())
    conditioned = bool((temperatures != temperature).any())
    confined = stereo_torsions(definition, ics.numpy()) if confine_stereo and initial_model is None else []
    if initial_model is None:
        torch.manual_seed(config.seed)
        flow = build_flow(architecture, ics, definition.getNumBonds(), definition.getNumAngles(), temperature, layers,
                          hidden, conditioned, confined)
    else:
        check_model_fits(initial_model, fingerprint, "initial model")
        flow = load_initial_flow(initial_model, definition.getNumInternalCoordinates(), conditioned, temperature)
    energy = BoltzmannEnergy(system, transform, first_positions, temperature)
    output.parent.mkdir(parents=True, exist_ok=True)
    train_flow(flow, ics, config, Path(str(output) + ".ckpt"), Path(str(output) + ".log.csv"), energy,
               temperatures if conditioned else None)
    export_model(flow, output, definition.getNumInternalCoordinates(), fingerprint)
    TSFForce(str(output), definition)  # the plugin's own check of the contract
    return output


def load_trained_flow(path: Union[str, Path], n_dims: int, what: str = "model") -> torch.nn.Module:
    """A trained flow (TorchScript) for a molecule with ``n_dims`` internal coordinates; clear errors for a file that
    is not TorchScript or a model of another size (``what`` names the file in them)."""
    try:
        flow = torch.jit.load(str(path))
    except (RuntimeError, ValueError) as error:
        raise TrainingError(f"cannot load the {what} {path} as TorchScript: {error}") from error
    if int(getattr(flow, "n_dims", -1)) != n_dims:
        raise TrainingError(f"the {what} {path} has n_dims = {getattr(flow, 'n_dims', None)}, but the molecule has "
                            f"{n_dims} internal coordinates")
    return flow


def load_initial_flow(path: Union[str, Path], n_dims: int, conditioned: bool, temperature: float) -> torch.nn.Module:
    """A trained flow (TorchScript) to continue training from, checked against the data: its number of internal
    coordinates, whether it is temperature-conditioned (the data span several temperatures) and its training
    temperature (kelvin: the data's highest)."""
    flow = load_trained_flow(path, n_dims, "initial model")
    if bool(getattr(flow, "temperature_conditioned", False)) != conditioned:
        kind = "several temperatures" if conditioned else "one temperature"
        raise TrainingError(f"the data span {kind}, which the initial model {path} does not match "
                            f"(temperature_conditioned = {bool(getattr(flow, 'temperature_conditioned', False))})")
    if abs(float(getattr(flow, "training_temperature", math.nan)) - temperature) > 1e-6:
        raise TrainingError(f"the initial model {path} was trained at {getattr(flow, 'training_temperature', None)} K, "
                            f"but the data's highest temperature is {temperature:g} K")
    return flow


def refine_molecule(molecule: Molecule, model: Union[str, Path], output: Union[str, Path],
                    config: ReweightingConfig) -> Path:
    """Refine a trained temperature-conditioned flow of a molecule (openmmtsf.molecule) by reweighted
    maximum likelihood at the temperatures of ``config`` (openmmtsf.train.reweighting), and export it. The
    checkpoint and the log go next to the output, so a re-run resumes; the export is checked by the plugin."""
    output = Path(output)
    system = molecule.system
    definition = internal_coordinates_from_topology(molecule.topology, system)
    fingerprint = molecule_fingerprint(molecule.topology, system, definition)
    check_model_fits(model, fingerprint)
    flow = load_trained_flow(model, definition.getNumInternalCoordinates())
    transform = InternalCoordinateTransform(definition, openmm.Platform.getPlatformByName("Reference"))
    energy = BoltzmannEnergy(system, transform, molecule.positions, max(config.temperatures))
    output.parent.mkdir(parents=True, exist_ok=True)
    reweighted_training(flow, energy.potential_energies, config, Path(str(output) + ".ckpt"),
                        Path(str(output) + ".log.csv"))
    export_model(flow, output, definition.getNumInternalCoordinates(), fingerprint)
    TSFForce(str(output), definition)  # the plugin's own check of the contract
    return output
