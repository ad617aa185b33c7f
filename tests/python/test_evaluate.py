# SPDX-License-Identifier: MIT
"""openmmtsf.diagnostics (`openmmtsf evaluate`): reverse ESS with a bootstrap interval, prior-move acceptance, the
share out of range and the heaviest weights of the shipped alanine-dipeptide TSF, at small sample counts."""
import argparse
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from conftest import ALA2_PDB, ROOT
from openmmtsf.diagnostics import add_evaluate_parser, evaluate_model, report_markdown, report_text, reverse_ess
from openmmtsf import internal_coordinates_from_topology
from openmmtsf.diagnostics.evaluation import check_flow_size
from openmmtsf.diagnostics.weights import reverse_ess_interval
from openmmtsf.fingerprint import MoleculeMismatchError
from openmmtsf.molecule import load_molecule

SETTINGS = dict(temperatures_k=[300.0, 600.0], samples=400, repeats=2, bootstrap=200, prior_steps=40, top=4,
                progress=False)


def shipped_model(name: str) -> Path:
    """A shipped model, in models/ or (before the move) in examples/models/."""
    for folder in (ROOT / "models", ROOT / "examples" / "models"):
        if (folder / name).is_file():
            return folder / name
    pytest.fail(f"no {name} in models/ or examples/models/")


@pytest.fixture(scope="module")
def ala2():
    return load_molecule(ALA2_PDB)


def evaluate(molecule, model="ala2-tsf-600K.pt", **changes):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*records no molecule")  # models exported before fingerprints
        return evaluate_model(shipped_model(model), molecule, **{**SETTINGS, **changes})


@pytest.fixture(scope="module")
def evaluation(ala2):
    return evaluate(ala2)


def test_reverse_ess_limits():
    assert reverse_ess(np.zeros(10)) == pytest.approx(1.0)
    assert reverse_ess(np.array([0.0] + [-np.inf] * 9)) == pytest.approx(0.1)
    assert reverse_ess(np.array([-np.inf, -np.inf])) == 0.0
    low, high = reverse_ess_interval(np.log(np.random.default_rng(0).exponential(size=500)), 300)
    assert 0.0 <= low <= reverse_ess(np.log(np.random.default_rng(0).exponential(size=500))) <= high <= 1.0


def test_diagnostics_are_in_range(evaluation):
    assert evaluation.torsion_names == ["phi1", "psi1"] and evaluation.has_amides
    assert [result.temperature_k for result in evaluation.temperatures] == [300.0, 600.0]
    for result in evaluation.temperatures:
        low, high = result.ess_interval
        assert 0.0 < result.reverse_ess <= 1.0
        assert 0.0 <= low <= result.reverse_ess <= high <= 1.0 and low < high
        assert len(result.repeat_ess) == 2 and all(0.0 < ess <= 1.0 for ess in result.repeat_ess)
        assert 0.0 <= result.prior_acceptance <= 1.0
        assert 0.0 <= result.out_of_range < 1.0 and result.samples == 800
        weights = result.heaviest_weights
        assert len(weights) == 4 and np.all(np.diff(weights) <= 0) and 0.0 < weights.sum() <= 1.0
        assert result.heaviest_torsions_rad.shape == (4, 2)
        assert np.all(np.abs(result.heaviest_torsions_rad) <= np.pi)
        assert 0.0 <= result.cis_share[1] <= 1.0 and 0.0 <= result.flipped_share[1] <= 1.0
        shares = [result.estimates[f"{region} 1"][0] for region in ("alpha_R", "beta", "alpha_L")]
        assert sum(shares) == pytest.approx(1.0)
    # The TSF proposes internal coordinates out of range, more at a higher temperature (its latent widens).
    assert evaluation.temperatures[1].out_of_range > evaluation.temperatures[0].out_of_range > 0.0


def test_deterministic_for_a_seed(ala2, evaluation):
    again = evaluate(ala2)
    other = evaluate(ala2, seed=2)
    for first, second, third in zip(evaluation.temperatures, again.temperatures, other.temperatures):
        assert (first.reverse_ess, first.ess_interval, first.repeat_ess) == (
            second.reverse_ess, second.ess_interval, second.repeat_ess)
        assert first.prior_acceptance == second.prior_acceptance and first.out_of_range == second.out_of_range
        np.testing.assert_array_equal(first.heaviest_weights, second.heaviest_weights)
        assert first.reverse_ess != third.reverse_ess
    assert report_text(evaluation) == report_text(again)


def test_a_model_of_another_molecule_is_refused(ala2):
    with pytest.raises(MoleculeMismatchError, match="another molecule"):
        evaluate(ala2, model="val2-spline-stereo-300-600K.pt")


def test_a_model_of_another_size_is_refused(ala2):
    """Models exported before fingerprints are checked by their number of internal coordinates."""
    definition = internal_coordinates_from_topology(ala2.topology, ala2.system)
    check_flow_size(SimpleNamespace(n_dims=48), definition, "ala2.pt")
    with pytest.raises(MoleculeMismatchError, match="90 internal coordinates, this molecule 48"):
        check_flow_size(SimpleNamespace(n_dims=90), definition, "val2.pt")


def test_command_prints_and_writes_markdown(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    add_evaluate_parser(parser.add_subparsers(dest="command"))
    output = tmp_path / "report" / "evaluation.md"
    args = parser.parse_args(["evaluate", str(shipped_model("ala2-tsf-600K.pt")), "--pdb", str(ALA2_PDB),
                              "--temperatures", "450", "--samples", "200", "--bootstrap", "50", "--prior-steps", "10",
                              "--top", "3", "--quiet", "--output", str(output)])
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*records no molecule")
        args.run(args)
    printed = capsys.readouterr().out
    assert "reverse ESS" in printed and "prior acceptance" in printed and "phi1 (deg)" in printed
    markdown = output.read_text()
    assert markdown.startswith("# Flow evaluation: ala2-tsf-600K.pt")
    assert "| T (K) | samples | reverse ESS | 95% bootstrap |" in markdown
    assert markdown.count("| 450 |") >= 1 and "cis amide" in markdown


def test_report_markdown_has_every_table(evaluation):
    markdown = report_markdown(evaluation)
    assert markdown.count("**Heaviest weights at") == 2
    assert "sets: median [min-max]" in markdown and "Importance-sampling estimates" in markdown
