# SPDX-License-Identifier: MIT
"""OpenMM reporters."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
from openmm import unit
from tqdm import tqdm

from .analysis import cis_amides, dihedral
from .run_files import write_atomically


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
    (kJ/mol), its phi and psi (radians) and, given the peptide bonds, whether it holds a cis amide: the series that
    openmmtsf.free_energy reads. Reading them costs no energy evaluation. save() writes them atomically, with the
    same keys as replica-exchange MD's files (temperatures, ladder_energies, ladder_phi, ladder_psi, ladder_cis;
    [frames, replicas])."""

    def __init__(self, integrator, interval: int, phi_atoms: Sequence[int], psi_atoms: Sequence[int],
                 recorded: Optional[Dict[str, np.ndarray]] = None, amide_atoms: Sequence[Sequence[int]] = ()):
        """``recorded``: the arrays of an earlier save() to continue (a resumed run, cut back to its checkpoint);
        cis amides are recorded only if ``amide_atoms`` are given and ``recorded``, if any, has them too."""
        self.integrator = integrator
        self.interval = interval
        self.atoms = np.array([phi_atoms, psi_atoms])
        self.energies: List[np.ndarray] = list(recorded["ladder_energies"]) if recorded else []
        self.torsions: List[np.ndarray] = list(np.stack([recorded["ladder_phi"], recorded["ladder_psi"]], axis=2)) \
            if recorded else []
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
        self.torsions.append(np.stack([dihedral(positions, atoms) for atoms in self.atoms], axis=1))
        if self.amide_atoms:
            self.cis.append(cis_amides(positions, self.amide_atoms))

    def save(self, path: Path) -> None:
        """Write the series so far to an .npz file, atomically."""
        replicas = self.integrator.getNumReplicas()
        torsions = np.array(self.torsions).reshape(-1, replicas, 2)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, temperatures=np.array(self.integrator.getTemperatures().value_in_unit(unit.kelvin)),
                            ladder_energies=np.array(self.energies).reshape(-1, replicas),
                            ladder_phi=torsions[:, :, 0], ladder_psi=torsions[:, :, 1],
                            **({"ladder_cis": np.array(self.cis).reshape(-1, replicas)} if self.amide_atoms else {}))
        write_atomically(path, buffer.getvalue())
