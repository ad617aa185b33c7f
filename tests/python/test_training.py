# SPDX-License-Identifier: MIT
"""Data generation and training end to end on a tiny set, resumption, and bad input."""
import csv
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import openmm
from openmm import app, unit
import pytest
import torch

import openmmtsf
import openmmtsf.cli
from conftest import ALA2_PDB, ROOT
from flows import AffineFlow
from openmmtsf.collective_variables import backbone_torsions, evaluate, parse_cv
from openmmtsf.fingerprint import read_fingerprint
from openmmtsf.molecule import load_molecule
from openmmtsf.simulation import load_trajectory, run_md
from openmmtsf.stereo import stereo_torsions
from openmmtsf.train import TrainingConfig, TrainingError, train_flow, train_molecule
from openmmtsf.flows import ICNormalization, SplineFlow, TemperatureSteerableFlow


ALA2 = load_molecule(ALA2_PDB)


@pytest.fixture(scope="module")
def tiny_trajectory(tmp_path_factory):
    path = tmp_path_factory.mktemp("md") / "ala2-600K.npz"
    run_md(ALA2, 600.0, 40, path, seed=3)
    return path


def test_md_resumes_from_disk(tmp_path):
    path = tmp_path / "md.npz"
    first = run_md(ALA2, 600.0, 5, path, seed=2)
    assert first["positions"].shape == (5, 22, 3) and first["energies"].shape == (5,)
    more = run_md(ALA2, 600.0, 8, path, seed=2)
    assert np.array_equal(more["positions"][:5], first["positions"])
    straight = run_md(ALA2, 600.0, 8, tmp_path / "straight.npz", seed=2)
    assert np.allclose(straight["positions"], more["positions"], atol=1e-5), "resuming continues the same run"
    assert float(more["temperature"]) == 600.0
    # Frames and the checkpoint that continues them are one file, written atomically, beside the run's settings:
    # nothing else is left.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["md.npz", "md.npz.settings.json", "straight.npz",
                                                          "straight.npz.settings.json"]
    assert more["checkpoint"].dtype == np.uint8 and more["checkpoint"].size > 0


def test_an_interrupted_md_run_keeps_every_saved_frame_and_resumes_exactly(tmp_path, monkeypatch):
    from openmmtsf.simulation import md

    monkeypatch.setattr(md, "SAVE_INTERVAL_S", 0.0)  # save after every frame
    updates = []

    def interrupt_after_three(self, n=1):
        updates.append(n)
        if len(updates) == 3:
            raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(md.tqdm, "update", interrupt_after_three)
        with pytest.raises(KeyboardInterrupt):
            run_md(ALA2, 600.0, 6, tmp_path / "md.npz", seed=3)
    assert load_trajectory(tmp_path / "md.npz")["positions"].shape[0] == 2  # the third frame was not saved yet
    resumed = run_md(ALA2, 600.0, 6, tmp_path / "md.npz", seed=3)
    straight = run_md(ALA2, 600.0, 6, tmp_path / "straight.npz", seed=3)
    assert np.allclose(resumed["positions"], straight["positions"], atol=1e-5)


def test_train_export_load_and_resume(tiny_trajectory, tmp_path):
    output = tmp_path / "flow.pt"
    config = TrainingConfig(iterations=12, batch_size=16, kl_batch_size=4, ml_only_fraction=0.5, kl_weight=0.3,
                            checkpoint_every=4, seed=1)
    train_molecule(ALA2, tiny_trajectory, output, config, layers=2, hidden=16)
    flow = torch.jit.load(str(output))
    assert flow.n_dims == 48 and flow.n_aux == 48 and flow.training_temperature == 600.0
    fingerprint = read_fingerprint(output)
    assert fingerprint["elements"] == [atom.element.symbol for atom in ALA2.topology.atoms()]
    assert len(fingerprint["constraints"]) == ALA2.system.getNumConstraints() == 12
    with open(str(output) + ".log.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["iteration"]) for r in rows] == list(range(12))
    assert float(rows[-1]["lambda"]) > 0.0 and float(rows[-1]["kl"]) != 0.0
    assert openmmtsf.TSFForce(str(output), openmmtsf.InternalCoordinates.createFromSystem(
        ALA2.system)).getNumDimensions() == 48
    checkpoint = (tmp_path / "flow.pt.ckpt").read_bytes()
    with pytest.raises(TrainingError, match=r"other settings \(learning_rate, seed\)"):
        train_molecule(ALA2, tiny_trajectory, output, replace(config, seed=2, learning_rate=0.01), layers=2, hidden=16)
    assert (tmp_path / "flow.pt.ckpt").read_bytes() == checkpoint, "a refused resume changes nothing"


def test_the_seed_makes_training_reproducible(tiny_trajectory, tmp_path):
    """The flow's initial parameters come from the seed too: two runs give the same model, another seed another."""
    config = TrainingConfig(iterations=3, batch_size=16, kl_weight=0.0, checkpoint_every=3, seed=5)
    parameters = []
    for name, seed in (("a.pt", 5), ("b.pt", 5), ("c.pt", 6)):
        torch.manual_seed(1000 + len(parameters))  # whatever the global state was before
        train_molecule(ALA2, tiny_trajectory, tmp_path / name, replace(config, seed=seed), architecture="spline",
                       layers=2, hidden=8)
        parameters.append(torch.jit.load(str(tmp_path / name)).state_dict())
    assert all(torch.equal(parameters[0][key], parameters[1][key]) for key in parameters[0])
    assert not all(torch.equal(parameters[0][key], parameters[2][key]) for key in parameters[0])


def test_a_spline_flow_trains_exports_and_samples_in_range(tiny_trajectory, tmp_path):
    output = tmp_path / "spline.pt"
    config = TrainingConfig(iterations=8, batch_size=16, kl_batch_size=4, ml_only_fraction=0.5, kl_weight=0.3,
                            checkpoint_every=4, seed=1)
    train_molecule(ALA2, tiny_trajectory, output, config, architecture="spline", layers=2, hidden=16)
    flow = torch.jit.load(str(output))
    assert flow.n_dims == 48 and flow.n_aux == 0 and not flow.temperature_conditioned
    definition = openmmtsf.InternalCoordinates.createFromSystem(ALA2.system)
    bonds, angles = definition.getNumBonds(), definition.getNumAngles()
    x, _, _ = flow(3.0 * torch.randn(256, 48, dtype=torch.float64), torch.zeros(256, 0, dtype=torch.float64))
    assert torch.all(x[:, :bonds + angles] > 0.0) and torch.all(x[:, bonds:bonds + angles] < np.pi)
    assert torch.all(x[:, bonds + angles:].abs() <= np.pi)
    assert openmmtsf.TSFForce(str(output), definition).getNumAuxiliary() == 0


def test_a_spline_flow_with_confined_stereo_torsions_never_flips_them(tiny_trajectory, tmp_path):
    output = tmp_path / "stereo.pt"
    config = TrainingConfig(iterations=4, batch_size=16, kl_weight=0.0, seed=1)
    train_molecule(ALA2, tiny_trajectory, output, config, architecture="spline", layers=2, hidden=16,
                   confine_stereo=True)
    flow = torch.jit.load(str(output))
    definition = openmmtsf.InternalCoordinates.createFromSystem(ALA2.system)
    data_ics, _ = openmmtsf.InternalCoordinateTransform(definition, openmm.Platform.getPlatformByName("Reference")) \
        .forward(load_trajectory(tiny_trajectory)["positions"][:, definition.getParticles()].astype(np.float64))
    stereo = stereo_torsions(definition, data_ics)
    assert len(stereo) == 7 and not bool(flow.is_torsion[stereo].any())  # off the circle
    x, _, _ = flow(3.0 * torch.randn(2000, 48, dtype=torch.float64), torch.zeros(2000, 0, dtype=torch.float64))
    assert torch.equal(torch.sign(x[:, stereo]), torch.sign(torch.from_numpy(data_ics[:1, stereo])).expand(2000, -1))
    with pytest.raises(TrainingError, match="cannot confine"):
        train_molecule(ALA2, tiny_trajectory, tmp_path / "tsf.pt", config, layers=2, hidden=16, confine_stereo=True)


def test_md_starts_where_asked_and_saves_at_the_frame_interval(tmp_path):
    start = ALA2.positions + 0.01
    dense = run_md(ALA2, 300.0, 4, tmp_path / "dense.npz", seed=5, steps_per_frame=5, initial_positions=start)
    sparse = run_md(ALA2, 300.0, 1, tmp_path / "sparse.npz", seed=5, steps_per_frame=20, initial_positions=start)
    # The same stream: the fourth frame of 5-step frames is the first frame of 20-step frames.
    assert np.allclose(dense["positions"][3], sparse["positions"][0], atol=1e-5)
    with pytest.raises(ValueError, match="initial positions of shape"):
        run_md(ALA2, 300.0, 1, tmp_path / "bad.npz", initial_positions=start[:5])
    with pytest.raises(ValueError, match="steps_per_frame"):
        run_md(ALA2, 300.0, 1, tmp_path / "bad.npz", steps_per_frame=0)
    assert not (tmp_path / "bad.npz").exists()


def test_several_temperatures_train_a_temperature_conditioned_spline_flow(tiny_trajectory, tmp_path):
    cooler = run_md(ALA2, 450.0, 30, tmp_path / "ala2-450K.npz", seed=4, steps_per_frame=50)
    assert cooler["positions"].shape == (30, 22, 3)
    output = tmp_path / "conditioned.pt"
    config = TrainingConfig(iterations=6, batch_size=16, kl_weight=0.0, checkpoint_every=3, seed=1, cosine_schedule=True)
    train_molecule(ALA2, [tiny_trajectory, tmp_path / "ala2-450K.npz"], output, config, architecture="spline",
                   layers=2, hidden=16)
    flow = torch.jit.load(str(output))
    assert flow.temperature_conditioned and flow.training_temperature == 600.0
    definition = openmmtsf.InternalCoordinates.createFromSystem(ALA2.system)
    assert openmmtsf.TSFForce(str(output), definition).getNumAuxiliary() == 0
    both = [tiny_trajectory, tmp_path / "ala2-450K.npz"]
    unchanged = train_molecule(ALA2, both, tmp_path / "same.pt", TrainingConfig(iterations=0, kl_weight=0.1),
                               initial_model=output)
    for name, value in flow.state_dict().items():
        assert torch.equal(torch.jit.load(str(unchanged)).state_dict()[name], value), name
    kl_config = TrainingConfig(iterations=2, batch_size=16, kl_batch_size=4, ml_only_fraction=0.0, kl_weight=0.5,
                               seed=1)
    continued = train_molecule(ALA2, both, tmp_path / "kl.pt", kl_config, initial_model=output)
    with open(str(continued) + ".log.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert float(rows[1]["lambda"]) == 0.5 and math.isfinite(float(rows[1]["kl"])) and float(rows[1]["kl"]) != 0.0
    assert torch.jit.load(str(continued)).temperature_conditioned
    with pytest.raises(TrainingError, match="not temperature-conditioned"):
        train_molecule(ALA2, both, tmp_path / "tsf.pt", TrainingConfig(iterations=2, kl_weight=0.0), layers=2,
                       hidden=16)


def test_training_from_an_initial_model_refuses_one_that_does_not_fit_the_data(tiny_trajectory, tmp_path):
    config = TrainingConfig(iterations=1, kl_weight=0.0)
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"not a model")
    with pytest.raises(TrainingError, match="cannot load the initial model"):
        train_molecule(ALA2, tiny_trajectory, tmp_path / "a.pt", config, initial_model=garbage)
    three = tmp_path / "three.pt"
    torch.jit.save(torch.jit.script(AffineFlow([0.1, 1.9, 0.0], [0.01, 0.1, 1.0], 600.0)), str(three))
    with pytest.raises(TrainingError, match="has n_dims = 3, but the molecule has 48"):
        train_molecule(ALA2, tiny_trajectory, tmp_path / "b.pt", config, initial_model=three)
    tsf_600 = ROOT / "models" / "ala2-tsf-600K.pt"
    cooler = run_md(ALA2, 450.0, 4, tmp_path / "ala2-450K.npz", seed=4, steps_per_frame=10)
    assert len(cooler["positions"]) == 4
    with pytest.raises(TrainingError, match="trained at 600.0 K, but the data's highest temperature is 450 K"):
        train_molecule(ALA2, tmp_path / "ala2-450K.npz", tmp_path / "c.pt", config, initial_model=tsf_600)
    with pytest.raises(TrainingError, match="the data span several temperatures"):
        train_molecule(ALA2, [tiny_trajectory, tmp_path / "ala2-450K.npz"], tmp_path / "d.pt", config,
                       initial_model=tsf_600)
    assert not any((tmp_path / name).exists() for name in ["a.pt", "b.pt", "c.pt", "d.pt"])
    with pytest.raises(SystemExit, match="--initial-model needs --kl-weight"):
        openmmtsf.cli.main(["train", "--pdb", str(ALA2_PDB), "--data", str(tiny_trajectory), "--output",
                            str(tmp_path / "e.pt"), "--initial-model", str(tsf_600)])


def test_a_conditioned_flow_needs_each_frames_temperature(tmp_path):
    center, scale = torch.tensor([0.15, 1.9, 0.0]), torch.tensor([0.01, 0.1, 1.0])
    flow = SplineFlow(center, scale, 1, 1, 600.0, temperature_conditioned=True, layers=2, hidden=8)
    data = torch.tensor([[0.15, 1.9, 0.5]] * 4, dtype=torch.float64)
    config = TrainingConfig(iterations=2, batch_size=2, kl_weight=0.0)
    with pytest.raises(TrainingError, match="needs each frame's temperature"):
        train_flow(flow, data, config, tmp_path / "a.ckpt", tmp_path / "a.csv")
    with pytest.raises(TrainingError, match="4 frames need as many positive temperatures"):
        train_flow(flow, data, config, tmp_path / "a.ckpt", tmp_path / "a.csv",
                   temperatures=torch.tensor([300.0, 600.0, 0.0, 600.0]))


def test_the_cosine_schedule_falls_from_the_learning_rate_to_zero():
    config = TrainingConfig(iterations=100, learning_rate=2e-3, cosine_schedule=True)
    assert config.learning_rate_at(0) == 2e-3
    assert config.learning_rate_at(50) == pytest.approx(1e-3)
    assert config.learning_rate_at(99) < 1e-6
    assert TrainingConfig(iterations=100, learning_rate=2e-3).learning_rate_at(99) == 2e-3


def test_an_interrupted_run_resumes_to_the_same_result(tmp_path):
    normalization = ICNormalization(torch.zeros(6), torch.ones(6), torch.zeros(6, dtype=torch.bool))
    data = torch.randn(64, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(4))
    config = TrainingConfig(iterations=16, batch_size=8, kl_batch_size=4, ml_only_fraction=0.5, kl_weight=0.5,
                            checkpoint_every=4, seed=2)
    calls = []

    def energy(ics):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return 0.5 * (ics ** 2).sum(dim=1), torch.zeros(ics.shape[0], dtype=ics.dtype)

    def new_flow():
        torch.manual_seed(0)
        return TemperatureSteerableFlow(normalization, 600.0, layers=2, hidden=8)

    interrupted = new_flow()
    with pytest.raises(KeyboardInterrupt):
        train_flow(interrupted, data, config, tmp_path / "a.ckpt", tmp_path / "a.csv", energy)
    resumed = train_flow(new_flow(), data, config, tmp_path / "a.ckpt", tmp_path / "a.csv", energy)
    straight = train_flow(new_flow(), data, config, tmp_path / "b.ckpt", tmp_path / "b.csv", energy)
    for a, b in zip(resumed.state_dict().values(), straight.state_dict().values()):
        assert torch.equal(a, b)
    with open(tmp_path / "a.csv") as handle:
        assert [int(row["iteration"]) for row in csv.DictReader(handle)] == list(range(16))


def test_bad_training_input(tiny_trajectory, tmp_path):
    ics = torch.zeros(10, 5, dtype=torch.float64)
    normalization = ICNormalization(torch.zeros(6), torch.ones(6), torch.zeros(6, dtype=torch.bool))
    flow = TemperatureSteerableFlow(normalization, 600.0, layers=2, hidden=8)
    with pytest.raises(TrainingError, match=r"do not match the model, which expects \[B, 6\]"):
        train_flow(flow, ics, TrainingConfig(iterations=2, kl_weight=0.0), tmp_path / "c.ckpt", tmp_path / "log.csv")
    with pytest.raises(FileNotFoundError, match="No trajectory file"):
        load_trajectory(tmp_path / "missing.npz")
    with pytest.raises(FileNotFoundError, match="No file at"):
        load_molecule(tmp_path / "missing.pdb")


def test_nan_loss_stops_training_and_keeps_the_last_checkpoint(tmp_path):
    normalization = ICNormalization(torch.zeros(6), torch.ones(6), torch.zeros(6, dtype=torch.bool))
    flow = TemperatureSteerableFlow(normalization, 600.0, layers=2, hidden=8)
    data = torch.randn(50, 6, dtype=torch.float64)
    checkpoint = tmp_path / "c.ckpt"
    config = TrainingConfig(iterations=10, batch_size=8, kl_batch_size=4, ml_only_fraction=0.5, kl_weight=0.5,
                            checkpoint_every=2)

    def nan_energy(ics):
        return torch.full((ics.shape[0],), float("nan"), dtype=ics.dtype) + 0 * ics.sum(), torch.zeros(ics.shape[0])

    with pytest.raises(TrainingError, match="the loss is nan at iteration 6"):
        train_flow(flow, data, config, checkpoint, tmp_path / "log.csv", nan_energy)
    assert torch.load(checkpoint)["iteration"] == 6


def test_sample_refuses_to_overwrite_results(tmp_path):
    output = tmp_path / "sample"
    output.mkdir()
    (output / "log.csv").write_text("an earlier run\n")
    with pytest.raises(SystemExit, match="already holds results.*--overwrite"):
        openmmtsf.cli.main(["sample", "--pdb", str(ALA2_PDB), "--model", "unused.pt", "--output", str(output)])
    assert (output / "log.csv").read_text() == "an earlier run\n"


def test_cli_reports_errors_without_a_traceback(tmp_path, capsys):
    with pytest.raises(SystemExit, match="No trajectory file"):
        openmmtsf.cli.main(["train", "--pdb", str(ALA2_PDB), "--data", str(tmp_path / "none.npz"),
                            "--output", str(tmp_path / "x.pt")])


def test_replica_exchange_md_resumes(tmp_path):
    from openmmtsf.simulation import run_remd
    path = tmp_path / "remd.npz"
    first = run_remd(ALA2, [300.0, 400.0, 500.0], 3, path, seed=4)
    assert first["cvs"].shape == (3, 2) and first["acceptance"].shape == (2,)
    assert first["cv_definitions"].tolist() == ["phi1=dihedral:4,6,8,14", "psi1=dihedral:6,8,14,16"]
    more = run_remd(ALA2, [300.0, 400.0, 500.0], 5, path, seed=4)
    assert np.array_equal(more["cvs"][:3], first["cvs"]) and len(more["energies"]) == 5
    assert np.all(np.abs(more["cvs"]) <= np.pi)
    assert more["ladder_cvs"].shape == (5, 3, 2) and more["ladder_energies"].shape == (5, 3)
    assert np.array_equal(more["ladder_cvs"][:, 0], more["cvs"])
    assert np.array_equal(more["ladder_energies"][:, 0], more["energies"])
    assert np.array_equal(more["ladder_cvs"][:3], first["ladder_cvs"])
    assert more["positions"].shape == (5, 22, 3)
    phi_psi = backbone_torsions(ALA2.topology)
    assert np.allclose(evaluate(phi_psi, more["positions"].astype(float)), more["cvs"], atol=1e-4)
    with pytest.raises(ValueError, match=r"other settings \(cv_definitions\)"):
        run_remd(ALA2, [300.0, 400.0, 500.0], 6, path, seed=4, extra_variables=[parse_cv("d=distance:0,1")])
    assert np.array_equal(np.load(path)["cvs"], more["cvs"])


def test_replica_exchange_md_keeps_its_time_step(tmp_path):
    from openmmtsf.simulation import run_remd
    path = tmp_path / "remd.npz"
    with pytest.raises(ValueError, match="time step must be positive"):
        run_remd(ALA2, [300.0, 400.0], 2, path, timestep_fs=0.0)
    assert not path.exists()
    first = run_remd(ALA2, [300.0, 400.0], 2, path, seed=4, timestep_fs=1.0)
    assert float(first["timestep_fs"]) == 1.0
    with pytest.raises(ValueError, match=r"other settings \(timestep_fs\)"):
        run_remd(ALA2, [300.0, 400.0], 3, path, seed=4)
    assert np.array_equal(np.load(path)["cvs"], first["cvs"])
    state = Path(str(path) + ".state")
    state.write_bytes(b"a pickle of an older version")
    with pytest.raises(ValueError, match="older version"):
        run_remd(ALA2, [300.0, 400.0], 3, path, seed=4, timestep_fs=1.0)
    state.unlink()
    with pytest.raises(ValueError, match="no state"):
        run_remd(ALA2, [300.0, 400.0], 3, path, seed=4, timestep_fs=1.0)
    assert np.array_equal(np.load(path)["cvs"], first["cvs"])


def test_md_keeps_its_time_step(tmp_path):
    path = tmp_path / "md.npz"
    with pytest.raises(ValueError, match="time step must be positive"):
        run_md(ALA2, 300.0, 2, path, timestep_fs=-1.0)
    assert not path.exists()
    first = run_md(ALA2, 300.0, 2, path, seed=6, steps_per_frame=10, timestep_fs=0.5)
    assert float(first["timestep_fs"]) == 0.5
    context = openmm.Context(ALA2.system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName("Reference"))
    context.loadCheckpoint(first["checkpoint"].tobytes())
    # Two frames of ten 0.5 fs steps: 10 fs of simulated time.
    assert context.getState().getTime().value_in_unit(unit.femtosecond) == pytest.approx(10.0)
    with pytest.raises(ValueError, match=r"other settings \(timestep_fs\)"):
        run_md(ALA2, 300.0, 3, path, seed=6, steps_per_frame=10)
    with pytest.raises(ValueError, match=r"other settings \(seed\)"):
        run_md(ALA2, 300.0, 3, path, seed=7, steps_per_frame=10, timestep_fs=0.5)
    assert np.array_equal(np.load(path)["positions"], first["positions"])


def test_validation_keeps_the_best_parameters_and_stops_training_early(tmp_path):
    normalization = ICNormalization(torch.zeros(6), torch.ones(6), torch.zeros(6, dtype=torch.bool))
    data = torch.randn(64, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(4))
    config = TrainingConfig(iterations=40, batch_size=8, kl_weight=0.0, checkpoint_every=4, seed=2,
                            early_stopping_checks=3)
    values = iter([5.0, 4.0, 3.0, 3.5, 3.2, 3.1, 1.0])  # lowest at the third check; then three without a lower one
    seen = []

    def validate(flow):
        seen.append({key: tensor.clone() for key, tensor in flow.state_dict().items()})
        return next(values)

    torch.manual_seed(0)
    flow = train_flow(TemperatureSteerableFlow(normalization, 600.0, layers=2, hidden=8), data, config,
                      tmp_path / "v.ckpt", tmp_path / "v.csv", validate=validate)
    assert len(seen) == 6, "stopped after three checks without improvement, before the seventh"
    for key, tensor in flow.state_dict().items():
        assert torch.equal(tensor, seen[2][key]), "the parameters of the best check are kept"
    rows = (tmp_path / "v.validation.csv").read_text().splitlines()
    assert rows[0] == "iteration,value" and [row.split(",")[0] for row in rows[1:]] == ["4", "8", "12", "16", "20",
                                                                                     "24"]
    with open(tmp_path / "v.csv") as handle:
        assert len(list(csv.DictReader(handle))) == 24
    # A rerun finds the finished checkpoint: it trains no further and still ends at the best parameters.
    again = train_flow(TemperatureSteerableFlow(normalization, 600.0, layers=2, hidden=8), data, config,
                       tmp_path / "v.ckpt", tmp_path / "v.csv", validate=validate)
    for key, tensor in again.state_dict().items():
        assert torch.equal(tensor, seen[2][key])
    assert len(seen) == 6
