# SPDX-License-Identifier: MIT
"""OpenMM reporters."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
from openmm import unit
from tqdm import tqdm

from .collective_variables import CollectiveVariable, cis_amides, evaluate
from .run_files import save_arrays


class ProgressReporter:
    """A progress bar over a Simulation run of known length (an ordinary OpenMM reporter)."""

    def __init__(self, total_steps: int, interval: int = 100, description: str = "sampling", initial: int = 0):
        self.interval = interval
        self.bar = tqdm(total=total_steps, initial=initial, desc=description, unit="step")
        self.last = None

    def describeNextReport(self, simulation):
        steps = self.interval - simulation.currentStep % self.interval
        return steps, False, False, False, False

    def report(self, simulation, state) -> None:
        if self.last is not None:
            self.bar.update(simulation.currentStep - self.last)
        self.last = simulation.currentStep

    def close(self) -> None:
        self.bar.close()


class LadderReporter:
    """Records every replica of a TSFIntegrator every ``interval`` steps: its potential energy as the moves use it
    (kJ/mol), its collective variables (openmmtsf.collective_variables: radians or nm) and, given the peptide bonds,
    whether it holds a cis amide: the series that openmmtsf.free_energy reads. Reading them costs no energy
    evaluation. save() writes them atomically, with the same keys as replica-exchange MD's files (temperatures,
    cv_definitions; ladder_energies, ladder_cis [frames, replicas]; ladder_cvs [frames, replicas, variables])."""

    def __init__(self, integrator, interval: int, variables: Sequence[CollectiveVariable],
                 recorded: Optional[Dict[str, np.ndarray]] = None, amide_atoms: Sequence[Sequence[int]] = ()):
        """``recorded``: the arrays of an earlier save() to continue (a resumed run, cut back to its checkpoint);
        cis amides are recorded only if ``amide_atoms`` are given and ``recorded``, if any, has them too."""
        self.integrator = integrator
        self.interval = interval
        self.variables = list(variables)
        self.energies: List[np.ndarray] = list(recorded["ladder_energies"]) if recorded else []
        self.values: List[np.ndarray] = list(recorded["ladder_cvs"]) if recorded else []
        self.amide_atoms = list(amide_atoms) if not recorded or "ladder_cis" in recorded else []
        self.cis: List[np.ndarray] = list(recorded["ladder_cis"]) if recorded and self.amide_atoms else []

    def describeNextReport(self, simulation):
        steps = self.interval - simulation.currentStep % self.interval
        return steps, False, False, False, False

    def report(self, simulation, state) -> None:
        replicas = self.integrator.getNumReplicas()
        positions = np.array([self.integrator.getState(r, getPositions=True).getPositions(asNumpy=True)
                              .value_in_unit(unit.nanometer) for r in range(replicas)])
        self.energies.append(np.array(self.integrator.getPotentialEnergies()))
        self.values.append(evaluate(self.variables, positions))
        if self.amide_atoms:
            self.cis.append(cis_amides(positions, self.amide_atoms))

    def save(self, path: Path) -> None:
        """Write the series so far to an .npz file, atomically."""
        replicas = self.integrator.getNumReplicas()
        save_arrays(path, {
            "temperatures": np.array(self.integrator.getTemperatures().value_in_unit(unit.kelvin)),
            "cv_definitions": np.array([variable.definition for variable in self.variables], dtype=str),
            "ladder_energies": np.array(self.energies).reshape(-1, replicas),
            "ladder_cvs": np.array(self.values).reshape(-1, replicas, len(self.variables)),
            **({"ladder_cis": np.array(self.cis).reshape(-1, replicas)} if self.amide_atoms else {})})
