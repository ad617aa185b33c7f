# SPDX-License-Identifier: MIT
"""MBAR over a tempering ladder (openmmtsf.free_energy) and the `analyze` command, on a two-level model whose
populations are known exactly at every temperature."""
import numpy as np
import pytest
import scipy.stats

import openmmtsf.cli
from openmmtsf.free_energy import BasinFreeEnergies, basin_free_energies, combine_runs
from openmmtsf.free_energy_report import load_ladder
from openmmtsf.units import BOLTZMANN_KJ_PER_MOL_K

LADDER = np.array([300.0, 400.0, 500.0, 600.0])
#: The phi1 > 0 level lies GAP kJ/mol above phi1 < 0 and has DEGENERACY times its states (an entropy).
GAP, DEGENERACY = 10.0, 5.0


def exact_population(temperatures) -> np.ndarray:
    weight = DEGENERACY * np.exp(-GAP / (BOLTZMANN_KJ_PER_MOL_K * np.asarray(temperatures)))
    return weight / (1.0 + weight)


def two_level_ladder(frames: int, seed: int):
    """Independent samples at each ladder temperature: (energies, phi), both [frames, replicas]."""
    rng = np.random.default_rng(seed)
    positive = rng.random((frames, len(LADDER))) < exact_population(LADDER)
    return GAP * positive, np.where(positive, 1.0, -1.0)


#: The variables a ladder file of these models records: phi1, and psi1 = -phi1.
DEFINITIONS = ["phi1=dihedral:4,6,8,14", "psi1=dihedral:6,8,14,16"]


def save_ladder(path, energies, phi, **extra) -> None:
    """A ladder file with the keys of `sample` and `remd` outputs, recording phi1 and psi1 = -phi1."""
    np.savez(path, temperatures=LADDER, ladder_energies=energies, ladder_cvs=np.stack([phi, -phi], axis=2),
             cv_definitions=np.array(DEFINITIONS), **extra)


def test_mbar_recovers_exact_populations_between_the_ladder_temperatures():
    energies, phi = two_level_ladder(4000, seed=1)
    grid = [300.0, 350.0, 450.0, 550.0, 600.0]
    estimates = basin_free_energies(LADDER, energies, phi > 0, grid)
    exact = exact_population(grid)
    # Independent samples: MBAR's standard errors are right; 4 of them bound every point (5 points, p > 0.999).
    assert np.all(np.abs(estimates.population - exact) < 4 * estimates.population_error)
    assert np.all(estimates.population_error < 0.01)
    kt = BOLTZMANN_KJ_PER_MOL_K * np.array(grid)
    exact_delta_f = -kt * np.log(exact / (1 - exact))
    assert np.all(np.abs(estimates.delta_f - exact_delta_f) < 4 * estimates.delta_f_error)


def test_independent_runs_combine_with_errors_from_their_spread():
    grid = [300.0, 600.0]
    runs = [basin_free_energies(LADDER, energies, phi > 0, grid)
            for energies, phi in (two_level_ladder(2000, seed) for seed in range(2, 7))]
    combined = combine_runs(runs)
    populations = np.array([run.population for run in runs])
    assert np.allclose(combined.population, populations.mean(axis=0))
    assert np.allclose(combined.population_error, populations.std(axis=0, ddof=1) / np.sqrt(5))
    # An error from the spread of 5 runs makes (mean - exact) / error Student-t with 4 degrees of freedom.
    bound = scipy.stats.t.ppf(0.9995, df=4)
    assert np.all(np.abs(combined.population - exact_population(grid)) < bound * combined.population_error)
    assert combine_runs(runs[:1]) is runs[0]
    with pytest.raises(ValueError, match="same temperature grid"):
        energies, phi = two_level_ladder(500, 9)
        combine_runs([runs[0], basin_free_energies(LADDER, energies, phi > 0, [300.0, 500.0])])


def test_bad_input_is_refused():
    energies, phi = two_level_ladder(200, seed=3)
    with pytest.raises(ValueError, match=r"must both be \[frames, 4\]"):
        basin_free_energies(LADDER, energies[:, :3], phi > 0, [300.0])
    with pytest.raises(ValueError, match="positive and finite"):
        basin_free_energies(LADDER, energies, phi > 0, [0.0])
    with pytest.raises(ValueError, match="nothing inside the basin was sampled"):
        basin_free_energies(LADDER, np.zeros_like(energies), np.zeros(phi.shape, dtype=bool), [300.0])


def test_free_energy_from_population_propagates_the_error():
    result = BasinFreeEnergies.from_population(np.array([300.0]), np.array([0.2]), np.array([0.01]))
    kt = BOLTZMANN_KJ_PER_MOL_K * 300.0
    assert result.delta_f[0] == pytest.approx(-kt * np.log(0.25))
    assert result.delta_f_error[0] == pytest.approx(kt * 0.01 / 0.16)


def test_analyze_command_compares_runs_with_references(tmp_path, capsys):
    for name, seed in (("run1", 11), ("run2", 12), ("remd.npz", 13)):
        energies, phi = two_level_ladder(1500, seed)
        path = tmp_path / name
        if name.endswith(".npz"):
            save_ladder(path, energies, phi)
        else:
            path.mkdir()
            save_ladder(path / "ladder.npz", energies, phi)
    openmmtsf.cli.main(["analyze", str(tmp_path / "run1"), str(tmp_path / "run2"), "--reference",
                        str(tmp_path / "remd.npz"), "--output", str(tmp_path / "report"), "--grid-points", "7"])
    table = (tmp_path / "report" / "free_energy.md").read_text()
    assert "TSF (2 runs)" in table and "REMD (1 run)" in table and "ΔF difference (σ)" in table
    rows = [line for line in table.splitlines() if line.startswith("| 3") or line.startswith("| 4")
            or line.startswith("| 5") or line.startswith("| 6")]
    assert len(rows) == len(LADDER)
    differences = [float(row.rstrip(" |").rsplit("|", 1)[1]) for row in rows]
    assert all(abs(d) < 4 for d in differences), differences
    csv_rows = (tmp_path / "report" / "free_energy.csv").read_text().splitlines()
    assert len(csv_rows) == 1 + 2 * (7 + 2)  # 7 grid points and the two ladder temperatures (400, 500 K) not on them
    assert (tmp_path / "report" / "free_energy.png").stat().st_size > 0
    assert "ΔF" in capsys.readouterr().out
    # Another basin on the recorded variables: psi1 < 0 is phi1 > 0 here, psi1 > 0 its complement.
    openmmtsf.cli.main(["analyze", str(tmp_path / "run1"), "--basin", "psi1>0", "--output", str(tmp_path / "other"),
                        "--grid-points", "2"])
    rows = [row.split(",") for row in (tmp_path / "other" / "free_energy.csv").read_text().splitlines()[1:]]
    populations = {float(row[1]): (float(row[2]), float(row[3])) for row in rows}
    for temperature, (population, error) in populations.items():
        assert abs(population - (1 - exact_population([temperature])[0])) < 4 * error
    assert "psi1>0" in (tmp_path / "other" / "free_energy.md").read_text()
    with pytest.raises(SystemExit, match="names chi1, which is not among"):
        openmmtsf.cli.main(["analyze", str(tmp_path / "run1"), "--basin", "chi1>0", "--output", str(tmp_path / "x")])


def test_a_file_without_ladder_series_gets_a_clear_error(tmp_path):
    np.savez(tmp_path / "old.npz", phi=np.zeros(3), energies=np.zeros(3))
    with pytest.raises(ValueError, match="written by an older version"):
        load_ladder(tmp_path / "old.npz")
    with pytest.raises(FileNotFoundError, match="No ladder series"):
        load_ladder(tmp_path / "missing")


#: A third level, "cis", CIS_GAP kJ/mol up with CIS_DEGENERACY states, all at phi > 0: it shifts the populations
#: unless the estimate is restricted to the two "trans" levels.
CIS_GAP, CIS_DEGENERACY = 8.0, 20.0


def three_level_ladder(frames: int, seed: int):
    """Independent samples of the two levels plus the cis level: (energies, phi, cis), each [frames, replicas]."""
    rng = np.random.default_rng(seed)
    kt = BOLTZMANN_KJ_PER_MOL_K * LADDER
    weights = np.stack([np.ones_like(LADDER), DEGENERACY * np.exp(-GAP / kt), CIS_DEGENERACY * np.exp(-CIS_GAP / kt)])
    cumulative = np.cumsum(weights / weights.sum(axis=0), axis=0)
    level = (rng.random((frames, len(LADDER)))[None] > cumulative[:, None, :]).sum(axis=0)
    energies = np.choose(level, [0.0, GAP, CIS_GAP])
    return energies, np.where(level == 0, -1.0, 1.0), level == 2


def test_estimates_restricted_to_a_region_ignore_the_frames_outside_it():
    energies, phi, cis = three_level_ladder(6000, seed=21)
    grid = [300.0, 450.0, 600.0]
    restricted = basin_free_energies(LADDER, energies, phi > 0, grid, included=~cis)
    assert np.all(np.abs(restricted.population - exact_population(grid)) < 4 * restricted.population_error)
    everything = basin_free_energies(LADDER, energies, phi > 0, grid)
    assert np.any(np.abs(everything.population - exact_population(grid)) > 10 * everything.population_error)
    with pytest.raises(ValueError, match="included"):
        basin_free_energies(LADDER, energies, phi > 0, grid, included=~cis[:, :2])


def test_analyze_trans_only_needs_cis_records(tmp_path):
    for name, seed in (("run", 22), ("remd.npz", 23)):
        energies, phi, cis = three_level_ladder(1500, seed)
        path = tmp_path / name
        target = path if name.endswith(".npz") else path / "ladder.npz"
        target.parent.mkdir(exist_ok=True)
        save_ladder(target, energies, phi, ladder_cis=cis)
    openmmtsf.cli.main(["analyze", str(tmp_path / "run"), "--reference", str(tmp_path / "remd.npz"), "--output",
                        str(tmp_path / "report"), "--grid-points", "4", "--trans-only"])
    assert "trans amides" in (tmp_path / "report" / "free_energy.md").read_text()
    rows = (tmp_path / "report" / "free_energy.csv").read_text().splitlines()[1:]
    at_300 = [float(row.split(",")[2]) for row in rows if row.split(",")[1] == "300.0000"]
    assert len(at_300) == 2 and all(abs(p - exact_population([300.0])[0]) < 0.02 for p in at_300)
    energies, phi, _ = three_level_ladder(100, 24)
    save_ladder(tmp_path / "old.npz", energies, phi)
    with pytest.raises(SystemExit, match="no record of cis amides"):
        openmmtsf.cli.main(["analyze", str(tmp_path / "old.npz"), "--output", str(tmp_path / "r2"), "--trans-only"])
