# SPDX-License-Identifier: MIT
"""The `sample` command end to end with the shipped model, and the analysis helpers."""
import numpy as np
import pytest

import openmmtsf.cli
from conftest import ALA2_PDB, ROOT
from openmmtsf.analysis import dihedral, mean_with_error


def test_sample_command_writes_a_summary(tmp_path, capsys):
    openmmtsf.cli.main(["sample", "--pdb", str(ALA2_PDB), "--model", str(ROOT / "examples" / "models" / "ala2-tsf-600K.pt"),
                        "--replicas", "3", "--steps", "200", "--adaptation-steps", "50", "--output", str(tmp_path),
                        "--seed", "3"])
    summary = (tmp_path / "summary.txt").read_text()
    assert "exchange acceptance" in summary and "round trips per walker" in summary
    assert "phi > 0 population at 300 K" in summary
    for name in ("log.csv", "trajectory.dcd", "system.xml", "ramachandran.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert "phi > 0 population" in capsys.readouterr().out


def test_block_error_bar_and_dihedral():
    rng = np.random.default_rng(0)
    series = rng.normal(size=20000)
    mean, error = mean_with_error(series)
    assert abs(mean) < 4 * error and error == pytest.approx(1 / np.sqrt(20000), rel=0.4)
    square = np.array([[[1.0, 0, 0], [0, 0, 0], [0, 1.0, 0], [0, 1.0, 1.0]]])
    assert dihedral(square, [0, 1, 2, 3])[0] == pytest.approx(-np.pi / 2)
