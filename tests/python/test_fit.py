# SPDX-License-Identifier: MIT
"""`fit`: it reaches a stated quality on a toy molecule, resumes exactly after a kill in any stage, refuses bad
settings clearly, and never proposes a mirror-image alpha carbon."""
import json
import math
from dataclasses import replace

import numpy as np
import openmm
import pytest
import torch
import tqdm
from openmm import app

from conftest import ala2_system
from openmmtsf.chirality import alpha_carbon_centres, chirality_signs
from openmmtsf.fit import FitConfig, FitError, fit
from openmmtsf.fit.flow_spec import design_flow
from openmmtsf.fit.ledger import Ledger
from openmmtsf.flows import SplineFlow
from openmmtsf.molecule import Molecule
from openmmtsf.topology import internal_coordinates_from_topology
from openmmtsf.tsfplugin import InternalCoordinateTransform
from toy_molecule import toy_chain

#: A fit of the toy chain in about 20 seconds: budgets in energy evaluations keep it deterministic.
TOY = FitConfig(budget_minutes=None, budget_energies=10 ** 7, workers=1, seed_picoseconds=50.0, frame_interval_ps=0.1,
                layers=4, bins=8, hidden=32, batch_size=256, ml_iterations=400, ml_learning_rate=3e-3,
                sampler_steps=2000, retrain_iterations=200, retrain_learning_rate=1e-3, refine_iterations=200,
                refine_learning_rate=1e-3, measure_samples=2000, measure_bootstrap=100, measure_prior_steps=200,
                max_rounds=2)
#: The stated quality of the toy fit: reverse ESS at every measured temperature, and prior acceptance.
TOY_ESS = 0.8
TOY_ACCEPTANCE = 0.6


def measures(ledger_path):
    """Each round's ESS and acceptance (not its times, which differ from run to run)."""
    rounds = Ledger(ledger_path).rounds
    return [(record["ess"], record["acceptance"], record["mirror_images"]) for record in rounds]


@pytest.fixture(scope="module")
def toy_fit(tmp_path_factory):
    output = tmp_path_factory.mktemp("toy") / "toy.pt"
    fit(toy_chain(), output, TOY)
    return output


def test_fit_reaches_the_stated_quality_on_a_toy_molecule_and_reports_it(toy_fit):
    ledger = Ledger(toy_fit.with_name("toy.pt.fit") / "ledger.json")
    assert [record["round"] for record in ledger.rounds] == [0, 1, 2]
    assert ledger.stopped == "2 rounds done"
    best = max(ledger.rounds, key=lambda record: min(v[0] for v in record["ess"].values()))
    for temperature, (ess, low, high) in best["ess"].items():
        assert low <= ess <= high
        assert ess >= TOY_ESS, f"{temperature} K: reverse ESS {ess:.3f}"
    assert min(best["acceptance"].values()) >= TOY_ACCEPTANCE, best["acceptance"]
    model = torch.jit.load(str(toy_fit))
    assert bool(model.temperature_conditioned) and float(model.training_temperature) == 600.0
    report = toy_fit.with_name("toy.pt.md").read_text()
    assert "| round |" in report and f"{ledger.energies:,} energy evaluations" in report
    for plot in ("toy.pt.rounds.png", "toy.pt.losses.png"):
        assert toy_fit.with_name(plot).stat().st_size > 1000


#: A smaller fit of one round for the resume test.
RESUME = replace(TOY, layers=2, hidden=16, ml_iterations=150, sampler_steps=1100, retrain_iterations=150,
                 refine_iterations=120, measure_samples=500, measure_bootstrap=20, measure_prior_steps=50, max_rounds=1)
#: Where each stage is killed: at this progress-bar update (MD frames, iterations, sampler chunks, sample batches),
#: after a checkpoint where the stage writes one.
STAGE_KILLS = {"seed": 300, "ml": 120, "measure-0": 2, "sample-1": 1, "retrain-1": 120, "refine-1": 80,
               "measure-1": 2}


def test_a_fit_killed_in_every_stage_in_turn_resumes_to_the_result_of_an_uninterrupted_one(tmp_path, monkeypatch):
    reference = tmp_path / "reference.pt"
    fit(toy_chain(), reference, RESUME)
    output = tmp_path / "killed.pt"
    for stage, kill_at in STAGE_KILLS.items():
        current, updates = [], [0]
        start, update = Ledger.start, tqdm.tqdm.update

        def entering(self, name):
            current.append(name)
            return start(self, name)

        def killing_update(self, n=1):
            if current and current[-1] == stage:
                updates[0] += 1
                if updates[0] == kill_at:
                    raise KeyboardInterrupt
            return update(self, n)

        with monkeypatch.context() as patch:
            patch.setattr(Ledger, "start", entering)
            patch.setattr(tqdm.tqdm, "update", killing_update)
            with pytest.raises(KeyboardInterrupt):
                fit(toy_chain(), output, RESUME)
        assert current[-1] == stage and not output.exists(), f"killed in {stage}"
    fit(toy_chain(), output, RESUME)
    assert measures(output.with_name("killed.pt.fit") / "ledger.json") == measures(
        reference.with_name("reference.pt.fit") / "ledger.json")
    assert output.read_bytes() == reference.read_bytes()


@pytest.mark.parametrize("change, message", [
    ({"budget_minutes": 0.0}, "positive, finite number of minutes"),
    ({"budget_minutes": math.nan}, "positive, finite number of minutes"),
    ({"budget_minutes": None, "budget_energies": None}, "give a budget"),
    ({"budget_energies": 0}, "positive number of energy evaluations"),
    ({"t_min": 600.0, "t_max": 300.0}, "0 < t_min < t_max"),
    ({"t_min": -1.0}, "0 < t_min < t_max"),
    ({"t_max": math.inf}, "0 < t_min < t_max"),
    ({"replicas": 1}, "replicas"),
])
def test_bad_budgets_and_temperature_ranges_are_refused_before_anything_is_written(change, message, tmp_path):
    with pytest.raises(FitError, match=message):
        fit(toy_chain(), tmp_path / "model.pt", replace(TOY, **change))
    assert list(tmp_path.iterdir()) == []


def test_a_molecule_the_ic_builder_refuses_gets_a_clear_error(tmp_path):
    molecule = toy_chain()
    residue = molecule.topology.addResidue("ION", molecule.topology.addChain())
    molecule.topology.addAtom("C9", app.element.carbon, residue)
    molecule.system.addParticle(12.0)
    positions = np.vstack([molecule.positions, [[1.0, 1.0, 1.0]]])
    with pytest.raises(FitError, match="cannot build internal coordinates.*disconnected"):
        fit(Molecule(molecule.topology, molecule.system, positions), tmp_path / "model.pt", TOY)
    assert list(tmp_path.iterdir()) == []


def test_a_work_folder_with_other_settings_is_refused(toy_fit):
    with pytest.raises(FitError, match="other settings \\(seed\\)"):
        fit(toy_chain(), toy_fit, replace(TOY, seed=5))
    settings = json.loads((toy_fit.with_name("toy.pt.fit") / "settings.json").read_text())
    assert settings["seed"] == TOY.seed


def random_flow(design) -> SplineFlow:
    """A flow of a design with random couplings (seeded), which spread its samples widely."""
    torch.manual_seed(3)
    flow = SplineFlow(**design)
    for parameter in flow.parameters():
        torch.nn.init.normal_(parameter, std=0.3)
    return flow


def test_the_fit_flow_keeps_every_alpha_carbon_s_chirality(ala2_pdb, ala2_trajectory):
    system = ala2_system(ala2_pdb, app.HBonds)
    definition = internal_coordinates_from_topology(ala2_pdb.topology, system)
    transform = InternalCoordinateTransform(definition, openmm.Platform.getPlatformByName("Reference"))
    particles = np.array(definition.getParticles())
    ics, _ = transform.forward(ala2_trajectory[:, particles])
    design = design_flow(definition, ics, FitConfig(layers=2, hidden=16))
    relative = dict(design["relative_torsions"])
    atom_names = [atom.name for atom in ala2_pdb.topology.atoms()]
    names = {definition.getTorsionIndex(i): atom_names[definition.getAtom(i)[0]]
             for i in range(definition.getNumAtoms()) if definition.getAtom(i)[3] >= 0}
    c_torsion = next(index for index, name in names.items() if name == "C" and index in relative)
    assert names[relative[c_torsion]] == "CB" and c_torsion in design["confined_torsions"]
    # An untrained flow with random couplings explores widely, yet keeps the chirality of the data.
    flow = random_flow(design)
    z = torch.randn(2000, flow.n_dims, dtype=torch.float64)
    temperatures = torch.full((2000,), 600.0, dtype=torch.float64)
    with torch.no_grad():
        sampled, _, logdet = flow(z, torch.zeros(2000, 0, dtype=torch.float64), temperatures)
        back, _, logdet_inverse = flow.inverse(sampled, torch.zeros(2000, 0, dtype=torch.float64), temperatures)
    assert torch.allclose(back, z, atol=1e-6) and torch.allclose(logdet, -logdet_inverse, atol=1e-6)
    positions, _, out_of_range = transform.inverse(sampled.numpy(), transform.extract_frames(ala2_trajectory[0]))
    centres = alpha_carbon_centres(ala2_pdb.topology)
    reference = chirality_signs(ala2_trajectory[:1], centres)
    full = np.repeat(ala2_trajectory[:1], 2000, axis=0)
    full[:, particles] = positions
    inside = ~np.asarray(out_of_range, dtype=bool)
    assert inside.sum() > 1000
    assert np.all(chirality_signs(full[inside], centres) == reference)
    # The same flow without the relative torsions proposes mirror images: the check can fail.
    free = random_flow({**design, "relative_torsions": [], "confined_torsions": [
        index for index in design["confined_torsions"] if index not in relative]})
    with torch.no_grad():
        sampled, _, _ = free(z, torch.zeros(2000, 0, dtype=torch.float64), temperatures)
    positions, _, out_of_range = transform.inverse(sampled.numpy(), transform.extract_frames(ala2_trajectory[0]))
    full[:, particles] = positions
    inside = ~np.asarray(out_of_range, dtype=bool)
    assert np.any(chirality_signs(full[inside], centres) != reference)
