# SPDX-License-Identifier: MIT
"""Train a flow for a molecule from an MD trajectory, and export it."""
from __future__ import annotations

from pathlib import Path
from typing import Union

import numpy as np
import openmm
import torch

from ..data import implicit_solvent_system, load_trajectory
from ..flows import ICNormalization, RealNVP, SplineFlow, TemperatureSteerableFlow
from ..topology import internal_coordinates_from_topology
from ..tsfplugin import InternalCoordinateTransform, TSFForce
from .energy import BoltzmannEnergy
from .export import export_model
from .trainer import TrainingConfig, TrainingError, train_flow



def build_flow(architecture: str, ics: torch.Tensor, num_bonds_and_angles: int, temperature: float, layers: int,
               hidden: int) -> torch.nn.Module:
    """A flow of an architecture fitted to training ICs [B, n]: the TSF or RealNVP with an IC normalisation, or a
    spline flow with bond and angle bounds from the data (not temperature-conditioned)."""
    if architecture == "spline":
        is_torsion = torch.arange(ics.shape[1]) >= num_bonds_and_angles
        lower, upper = SplineFlow.bounds_from_data(ics, is_torsion)
        return SplineFlow(lower, upper, is_torsion, temperature, layers=layers, hidden=hidden)
    normalization = ICNormalization.from_data(ics, num_bonds_and_angles)
    flow_class = {"tsf": TemperatureSteerableFlow, "realnvp": RealNVP}[architecture]
    return flow_class(normalization, temperature, layers=layers, hidden=hidden)


def train_molecule(pdb: Union[str, Path], trajectory: Union[str, Path], output: Union[str, Path],
                   config: TrainingConfig, architecture: str = "tsf", layers: int = 8, hidden: int = 128) -> Path:
    """Train a flow on an MD trajectory of a molecule (amber99sb-ildn, OBC, HBonds) and export it.

    The training temperature is the trajectory's. The checkpoint and the loss log go next to the output
    (``<output>.ckpt``, ``<output>.log.csv``), so a re-run resumes; the exported model is checked by loading
    it into the plugin.
    """
    output = Path(output)
    molecule, system = implicit_solvent_system(pdb)
    definition = internal_coordinates_from_topology(molecule.topology, system)
    data = load_trajectory(trajectory)
    positions = data["positions"].astype(np.float64)
    if positions.ndim != 3 or positions.shape[1:] != (system.getNumParticles(), 3):
        raise TrainingError(f"the trajectory {trajectory} has positions of shape {positions.shape}, but the molecule "
                            f"has {system.getNumParticles()} particles")
    temperature = float(data["temperature"])
    transform = InternalCoordinateTransform(definition, openmm.Platform.getPlatformByName("Reference"))
    ics, _ = transform.forward(positions[:, definition.getParticles()])
    flow = build_flow(architecture, torch.from_numpy(ics), definition.getNumBonds() + definition.getNumAngles(), temperature,
                      layers, hidden)
    energy = BoltzmannEnergy(system, transform, positions[0], temperature)
    output.parent.mkdir(parents=True, exist_ok=True)
    train_flow(flow, torch.from_numpy(ics), config, Path(str(output) + ".ckpt"), Path(str(output) + ".log.csv"), energy)
    export_model(flow, output, definition.getNumInternalCoordinates())
    TSFForce(str(output), definition)  # the plugin's own check of the contract
    return output
