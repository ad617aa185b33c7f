# SPDX-License-Identifier: MIT
"""The `sample` command end to end with the shipped model, and the analysis helpers."""
import json

import numpy as np
import pytest
from openmm import app

import openmmtsf.cli
from conftest import ALA2_PDB, ROOT
from openmmtsf.analysis import mean_with_error
from openmmtsf.collective_variables import amide_torsions, cis_amides, evaluate, parse_cv


def test_sample_command_writes_a_summary(tmp_path, capsys):
    openmmtsf.cli.main(["sample", "--pdb", str(ALA2_PDB), "--model", str(ROOT / "models" / "ala2-tsf-600K.pt"),
                        "--replicas", "3", "--steps", "200", "--adaptation-steps", "50", "--output", str(tmp_path),
                        "--seed", "3"])
    summary = (tmp_path / "summary.txt").read_text()
    assert "exchange acceptance" in summary and "round trips per walker" in summary
    assert "populations at 300 K" in summary
    for region in ("alpha_R", "beta", "alpha_L"):
        assert f"ALA1 {region}" in summary
    assert "basin phi1>0" in summary
    # The integrator's defaults, prior moves only, are recorded and reported: no random-walk move was attempted.
    settings = json.loads((tmp_path / "settings.json").read_text())
    assert settings["prior_move_probability"] == 1.0 and settings["exchange_interval"] == 25
    first_replica = summary.splitlines()[1].split()
    assert first_replica[2] == "-" and 0.0 <= float(first_replica[3]) <= 1.0
    for name in ("log.csv", "trajectory.dcd", "system.xml", "ramachandran.png", "ladder.npz"):
        assert (tmp_path / name).stat().st_size > 0
    assert "basin phi1>0" in capsys.readouterr().out


def test_sample_command_passes_the_exchange_interval_and_bank_size(tmp_path, monkeypatch):
    import openmmtsf.tempering as tempering
    made = []

    class RecordedIntegrator(tempering.TSFIntegrator):
        def __init__(self, *args):
            super().__init__(*args)
            made.append(self)

    monkeypatch.setattr(tempering, "TSFIntegrator", RecordedIntegrator)
    openmmtsf.cli.main(["sample", "--pdb", str(ALA2_PDB), "--model", str(ROOT / "models" / "ala2-tsf-600K.pt"),
                        "--replicas", "2", "--steps", "20", "--adaptation-steps", "10", "--output", str(tmp_path),
                        "--exchange-interval", "5", "--proposals-per-flow-call", "8", "--single-precision-flow"])
    assert made[0].getExchangeInterval() == 5 and made[0].getProposalsPerFlowCall() == 8
    assert made[0].getFlowPrecision() == tempering.TSFIntegrator.SinglePrecisionFlow
    settings = json.loads((tmp_path / "settings.json").read_text())
    assert settings["exchange_interval"] == 5 and settings["single_precision_flow"] is True


def test_error_bar_from_statistical_inefficiency_and_dihedral():
    rng = np.random.default_rng(0)
    series = rng.normal(size=20000)
    mean, error = mean_with_error(series)
    assert abs(mean) < 4 * error and error == pytest.approx(1 / np.sqrt(20000), rel=0.2)
    correlated = np.repeat(series[:2000], 10)  # every value ten times: ten times the variance of the mean
    assert mean_with_error(correlated)[1] == pytest.approx(np.sqrt(10) * np.std(series[:2000]) / np.sqrt(20000), rel=0.3)
    assert mean_with_error(np.ones(50)) == (1.0, 0.0)
    square = np.array([[[1.0, 0, 0], [0, 0, 0], [0, 1.0, 0], [0, 1.0, 1.0]]])
    assert evaluate([parse_cv("t=dihedral:0,1,2,3")], square)[0, 0] == pytest.approx(-np.pi / 2)


def test_an_interrupted_sample_run_resumes_exactly(tmp_path, monkeypatch):
    """A run killed after its frames but before its next checkpoint continues, once rerun, exactly as a run that
    was never interrupted: its trajectory and log are cut back to the checkpoint."""
    import mdtraj
    import openmmtsf.tempering as tempering
    monkeypatch.setattr(tempering, "CHECKPOINT_INTERVAL", 100)
    arguments = ["sample", "--pdb", str(ALA2_PDB), "--model", str(ROOT / "models" / "ala2-tsf-600K.pt"),
                 "--replicas", "2", "--steps", "300", "--adaptation-steps", "50", "--seed", "4"]
    openmmtsf.cli.main(arguments + ["--output", str(tmp_path / "straight")])
    written = []
    original = tempering.write_atomically

    def killed_at_the_third_checkpoint(path, data):
        if path.name == "checkpoint.chk":
            written.append(path)
            if len(written) == 3:
                raise KeyboardInterrupt
        original(path, data)

    monkeypatch.setattr(tempering, "write_atomically", killed_at_the_third_checkpoint)
    with pytest.raises(KeyboardInterrupt):
        openmmtsf.cli.main(arguments + ["--output", str(tmp_path / "resumed")])
    topology = str(ALA2_PDB)
    assert len(mdtraj.load_dcd(str(tmp_path / "resumed" / "trajectory.dcd"), top=topology)) == 25  # past the checkpoint
    monkeypatch.setattr(tempering, "write_atomically", original)
    openmmtsf.cli.main(arguments + ["--output", str(tmp_path / "resumed")])
    straight = mdtraj.load_dcd(str(tmp_path / "straight" / "trajectory.dcd"), top=topology)
    resumed = mdtraj.load_dcd(str(tmp_path / "resumed" / "trajectory.dcd"), top=topology)
    assert len(straight) == len(resumed) == 30
    assert np.array_equal(straight.xyz, resumed.xyz)
    assert (tmp_path / "straight" / "log.csv").read_text() == (tmp_path / "resumed" / "log.csv").read_text()
    with np.load(tmp_path / "straight" / "ladder.npz") as straight_ladder, \
            np.load(tmp_path / "resumed" / "ladder.npz") as resumed_ladder:
        assert straight_ladder["ladder_energies"].shape == (30, 2)
        for key in ("ladder_energies", "ladder_cvs", "ladder_cis", "temperatures", "cv_definitions"):
            assert np.array_equal(straight_ladder[key], resumed_ladder[key]), key
        # Replica 0 is the Context, whose frames the DCD holds: its records are theirs.
        amides = amide_torsions(app.PDBFile(str(ALA2_PDB)).topology)
        assert np.array_equal(straight_ladder["ladder_cis"][:, 0], cis_amides(straight.xyz.astype(float), amides))
        variables = [parse_cv(str(text)) for text in straight_ladder["cv_definitions"]]
        assert np.allclose(straight_ladder["ladder_cvs"][:, 0], evaluate(variables, straight.xyz), atol=1e-5)
    with pytest.raises(SystemExit, match=r"other settings \(seed\)"):
        openmmtsf.cli.main(arguments[:-1] + ["5", "--output", str(tmp_path / "resumed")])


def test_a_sample_run_stopped_before_its_first_checkpoint_starts_again(tmp_path, monkeypatch):
    import openmmtsf.tempering as tempering
    arguments = ["sample", "--pdb", str(ALA2_PDB), "--model", str(ROOT / "models" / "ala2-tsf-600K.pt"),
                 "--replicas", "2", "--steps", "100", "--adaptation-steps", "20", "--seed", "6"]
    openmmtsf.cli.main(arguments + ["--output", str(tmp_path / "straight")])
    original = tempering.write_atomically

    def killed_at_the_first_checkpoint(path, data):
        if path.name == "checkpoint.chk":
            raise KeyboardInterrupt
        original(path, data)

    monkeypatch.setattr(tempering, "write_atomically", killed_at_the_first_checkpoint)
    with pytest.raises(KeyboardInterrupt):
        openmmtsf.cli.main(arguments + ["--output", str(tmp_path / "again")])
    assert not (tmp_path / "again" / "checkpoint.chk").exists() and (tmp_path / "again" / "log.csv").exists()
    monkeypatch.setattr(tempering, "write_atomically", original)
    openmmtsf.cli.main(arguments + ["--output", str(tmp_path / "again")])
    assert (tmp_path / "straight" / "log.csv").read_text() == (tmp_path / "again" / "log.csv").read_text()
    (tmp_path / "again" / "checkpoint.chk").unlink()
    (tmp_path / "again" / "notes.txt").write_text("not a run file")
    with pytest.raises(SystemExit, match="pass --overwrite"):
        openmmtsf.cli.main(arguments + ["--output", str(tmp_path / "again")])


def test_sample_refuses_a_folder_with_other_results(tmp_path):
    (tmp_path / "notes.txt").write_text("earlier results")
    with pytest.raises(SystemExit, match="pass --overwrite"):
        openmmtsf.cli.main(["sample", "--pdb", str(ALA2_PDB), "--model", str(ROOT / "models" / "ala2-tsf-600K.pt"),
                            "--steps", "10", "--output", str(tmp_path)])
