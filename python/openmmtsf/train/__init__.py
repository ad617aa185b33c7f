# SPDX-License-Identifier: MIT
"""Training temperature-steerable flows: losses, energies through OpenMM, the trainer and export."""
from .energy import BoltzmannEnergy
from .export import check_contract, export_model
from .losses import kl_loss, ml_loss
from .pipeline import refine_molecule, train_molecule
from .reweighting import ReweightingConfig, reweighted_training
from .trainer import TrainingConfig, TrainingError, train_flow

__all__ = ["BoltzmannEnergy", "ReweightingConfig", "TrainingConfig", "TrainingError", "check_contract", "export_model",
           "kl_loss", "ml_loss", "refine_molecule", "reweighted_training", "train_flow", "train_molecule"]
