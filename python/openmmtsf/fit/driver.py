# SPDX-License-Identifier: MIT
"""`fit`: a temperature-conditioned flow for a molecule from its System alone, in rounds of exact TSF replica
exchange, retraining on what it found, and refinement against the energy (docs/fit.md)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Optional, Tuple, Union

import numpy as np
import openmm
import torch

from ..fingerprint import molecule_fingerprint
from ..molecule import Molecule, check_supported
from ..run_files import write_atomically
from ..topology import internal_coordinates_from_topology
from ..train import BoltzmannEnergy, ReweightingConfig, TrainingConfig, export_model, reweighted_training, train_flow
from ..tsfplugin import InternalCoordinateTransform, TSFForce
from .config import FitConfig, FitError
from .flow_spec import build_designed_flow, design_flow, save_atomically
from .ladder_samples import ladder_frames, sample_ladder
from .ledger import Ledger
from .measure import measure_flow, score
from .report import write_report
from .seed_data import HELD_OUT, run_seed_md, seed_positions


#: Checkpoints (100 iterations each) without a lower held-out negative log-likelihood before training stops.
EARLY_STOPPING_CHECKS = 5


def held_out_nll(ics: torch.Tensor, temperatures: torch.Tensor):
    """A validation function for train_flow(): the mean negative log-likelihood (up to a constant) of held-out
    frames [F, n] at their temperatures (kelvin, [F])."""
    empty = torch.zeros(len(ics), 0, dtype=torch.float64)

    def validate(flow: torch.nn.Module) -> float:
        z, _, logdet = flow.inverse(ics, empty, temperatures)
        return float((0.5 * (z * z).sum(dim=1) - logdet).mean())
    return validate


class _Fit:
    """One fit's molecule, work folder, flow and ledger; each method is a stage."""

    def __init__(self, molecule: Molecule, output: Path, work: Path, config: FitConfig):
        self.molecule, self.output, self.work, self.config = molecule, output, work, config
        try:
            check_supported(molecule.topology, molecule.system)
        except ValueError as error:
            raise FitError(str(error)) from error
        try:
            self.definition = internal_coordinates_from_topology(molecule.topology, molecule.system)
        except openmm.OpenMMException as error:  # the IC builder's own message says what it refuses
            raise FitError(f"cannot build internal coordinates for this molecule: {error}") from error
        self.fingerprint = molecule_fingerprint(molecule.topology, molecule.system, self.definition)
        self.transform = InternalCoordinateTransform(self.definition, openmm.Platform.getPlatformByName("Reference"))
        self.particles = np.array(self.definition.getParticles())
        self.energy = BoltzmannEnergy(molecule.system, self.transform, molecule.positions, config.t_max)
        self.ledger = Ledger(work / "ledger.json")
        self.flow: Optional[torch.nn.Module] = None

    def ics(self, positions: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(self.transform.forward(positions[:, self.particles])[0])

    def run_stage(self, name: str, stage) -> None:
        """Run a stage unless the ledger has it; ``stage()`` returns (energy evaluations, round record or None)."""
        if self.ledger.is_done(name):
            return
        print(f"fit: {name}", flush=True)
        self.ledger.start(name)
        energies, record = stage()
        if self.flow is not None:
            save_atomically(self.flow.state_dict(), self.work / "flow.pt")
        self.ledger.finish(name, energies, record)

    def load_flow(self) -> None:
        """The flow as the last finished stage left it (built from its design if no stage has trained it)."""
        design = self.work / "flow-design.pt"
        if design.is_file():
            self.flow = build_designed_flow(design, self.config.seed)
            if (self.work / "flow.pt").is_file():
                self.flow.load_state_dict(torch.load(self.work / "flow.pt"))

    def seed(self) -> Tuple[int, None]:
        return run_seed_md(self.molecule, self.config, self.work / "seed"), None

    def train(self, positions: np.ndarray, temperatures: np.ndarray, held_out: np.ndarray, iterations: int,
              learning_rate: float, seed: int, name: str) -> None:
        """Maximum likelihood on the frames not held out, keeping the parameters with the lowest negative
        log-likelihood of the held-out ones, and stopping once it has not fallen for EARLY_STOPPING_CHECKS
        checkpoints."""
        ics, held_out = self.ics(positions), torch.from_numpy(held_out)
        settings = TrainingConfig(iterations=iterations, batch_size=self.config.batch_size,
                                  learning_rate=learning_rate, kl_weight=0.0, seed=seed, cosine_schedule=True,
                                  early_stopping_checks=EARLY_STOPPING_CHECKS)
        validation = held_out_nll(ics[held_out], torch.from_numpy(temperatures[held_out]))
        train_flow(self.flow, ics[~held_out], settings, self.work / f"{name}.ckpt", self.work / f"{name}.log.csv",
                   temperatures=torch.from_numpy(temperatures[~held_out]), validate=validation)

    def maximum_likelihood(self) -> Tuple[int, None]:
        positions, temperatures, held_out = seed_positions(self.config, self.work / "seed")
        if self.flow is None:
            design = design_flow(self.definition, self.ics(positions[~held_out]).numpy(), self.config)
            save_atomically(design, self.work / "flow-design.pt")
            self.load_flow()
        self.train(positions, temperatures, held_out, self.config.ml_iterations, self.config.ml_learning_rate,
                   self.config.seed, "ml")
        return 0, None

    def sample(self, round_index: int) -> Tuple[int, None]:
        return sample_ladder(self.molecule, self.work / f"round-{round_index - 1}.pt", self.config.ladder(),
                             self.config.sampler_steps, self.config.sampler_frame_interval,
                             self.config.prior_move_probability, self.config.seed + round_index,
                             self.work / f"ladder-{round_index}.npz"), None

    def retrain(self, round_index: int) -> Tuple[int, None]:
        parts = [ladder_frames(self.work / f"ladder-{r}.npz", self.config.ladder(), HELD_OUT)
                 for r in range(1, round_index + 1)]
        positions, temperatures, held_out = (np.concatenate([part[k] for part in parts]) for k in range(3))
        self.train(positions, temperatures, held_out, self.config.retrain_iterations,
                   self.config.retrain_learning_rate, self.config.seed + round_index, f"retrain-{round_index}")
        return 0, None

    def refine(self, round_index: int) -> Tuple[int, None]:
        settings = ReweightingConfig(temperatures=self.config.ladder(), iterations=self.config.refine_iterations,
                                     batch_size=self.config.batch_size, learning_rate=self.config.refine_learning_rate,
                                     seed=self.config.seed + round_index, objective="chi-square")
        reweighted_training(self.flow, self.energy.potential_energies, settings,
                            self.work / f"refine-{round_index}.ckpt", self.work / f"refine-{round_index}.log.csv")
        return self.config.refine_iterations * self.config.batch_size, None

    def measure(self, round_index: int) -> Tuple[int, dict]:
        model = self.work / f"round-{round_index}.pt"
        export_model(self.flow, model, self.definition.getNumInternalCoordinates(), self.fingerprint)
        TSFForce(str(model), self.definition)  # the plugin's own check of the contract
        record = measure_flow(model, self.molecule, self.energy, self.config.measured_temperatures(),
                              self.config.ladder(), self.config.measure_samples, self.config.measure_bootstrap,
                              self.config.measure_prior_steps, self.config.seed + 1000 + round_index)
        record.update(round=round_index, elapsed_s=self.ledger.elapsed_s, cpu_s=self.ledger.cpu_s,
                      energies_so_far=self.ledger.energies + record["energies"])
        return int(record["energies"]), record

    def round_energies(self) -> int:
        """The energy evaluations a round (stages 3-5) takes."""
        config = self.config
        measure = config.measure_samples * 3 + config.measure_prior_steps * config.replicas
        return config.sampler_steps * config.replicas + config.refine_iterations * config.batch_size + measure

    def round_seconds(self) -> float:
        """The wall seconds the last finished round took (0 before the first)."""
        last = len(self.ledger.rounds) - 1
        if last < 1:
            return 0.0
        return sum(self.ledger.stage_seconds.get(f"{stage}-{last}", 0.0)
                   for stage in ("sample", "retrain", "refine", "measure"))

    def why_stop(self, round_index: int) -> Optional[str]:
        """Why no round ``round_index`` starts, or None."""
        config, ledger = self.config, self.ledger
        scores = [score(record) for record in ledger.rounds]
        best = int(np.argmax(scores))
        if round_index > config.max_rounds:
            return f"{config.max_rounds} rounds done"
        if len(scores) - 1 - best >= config.patience:
            return f"the score did not rise for {config.patience} rounds"
        if config.budget_minutes is not None and ledger.elapsed_s + self.round_seconds() > 60.0 * config.budget_minutes:
            return f"the budget of {config.budget_minutes:g} minutes would be passed"
        if config.budget_energies is not None and ledger.energies + self.round_energies() > config.budget_energies:
            return f"the budget of {config.budget_energies} energy evaluations would be passed"
        return None

    def run(self) -> Path:
        self.ledger.stopped = None  # the stop rule is asked again, under this call's budget
        self.load_flow()
        self.run_stage("seed", self.seed)
        self.run_stage("ml", self.maximum_likelihood)
        self.run_stage("measure-0", lambda: self.measure(0))
        round_index = len(self.ledger.rounds)
        while self.ledger.stopped is None:
            if not self.ledger.is_done(f"sample-{round_index}"):
                reason = self.why_stop(round_index)
                if reason is not None:
                    self.ledger.stop(reason)
                    break
            self.run_stage(f"sample-{round_index}", lambda: self.sample(round_index))
            self.run_stage(f"retrain-{round_index}", lambda: self.retrain(round_index))
            self.run_stage(f"refine-{round_index}", lambda: self.refine(round_index))
            self.run_stage(f"measure-{round_index}", lambda: self.measure(round_index))
            round_index += 1
        best = int(np.argmax([score(record) for record in self.ledger.rounds]))
        partial = self.output.with_name(self.output.name + ".partial")
        shutil.copyfile(self.work / f"round-{best}.pt", partial)
        partial.replace(self.output)
        write_report(self.ledger, best, self.config, self.work, self.output)
        return self.output


def fit(molecule: Molecule, output: Union[str, Path], config: Optional[FitConfig] = None,
        work: Optional[Union[str, Path]] = None) -> Path:
    """Train a temperature-conditioned flow for a molecule (openmmtsf.molecule) from its System alone, and write
    the best one measured to ``output`` (TorchScript, with the molecule's fingerprint), its report beside it
    (``<output>.md`` and plots).

    Stages: (1) seed MD at the top temperature and a few below it; (2) maximum likelihood on it; then rounds of
    (3) TSF replica exchange over the ladder with the current flow, (4) maximum likelihood on every round's
    sampler frames followed by chi-square steps along the ladder, and (5) a measure on fresh samples (reverse ESS,
    prior acceptance). Rounds go on while the score (the smallest reverse ESS) rises, within ``patience``, and the
    budget lasts. Every stage resumes: rerun with the same settings (the budget may change) and the same ``work``
    folder (default ``<output>.fit``).

    Raises:
        FitError: for a bad budget or temperature range, a molecule the IC builder refuses, or a work folder that
            holds a fit with other settings.
    """
    config = config or FitConfig()
    config.check()
    output = Path(output)
    work = Path(work) if work is not None else output.with_name(output.name + ".fit")
    run = _Fit(molecule, output, work, config)
    settings = {**config.settings(), "fingerprint": run.fingerprint}
    if (work / "settings.json").is_file():
        recorded = json.loads((work / "settings.json").read_text())
        changed = sorted(key for key in set(recorded) | set(settings) if recorded.get(key) != settings.get(key))
        if changed:
            raise FitError(f"{work} holds a fit with other settings ({', '.join(changed)}): resume it with the same "
                           "ones (only the budget may change), or give another work folder")
    work.mkdir(parents=True, exist_ok=True)
    write_atomically(work / "settings.json", json.dumps(settings, indent=1).encode())
    torch.set_num_threads(config.workers)
    return run.run()
