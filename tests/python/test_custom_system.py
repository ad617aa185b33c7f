# SPDX-License-Identifier: MIT
"""The README's path for a new molecule, as a user takes it: examples/custom_system.py builds a capped peptide no
shipped model knows (Ace-Ala-Ser-Nme) in amber14 + OBC2, saves it as System XML, and runs md -> train -> sample ->
analyze through the command line, here at a tiny size. A flow trained this briefly proposes almost nothing the
chain accepts, so the replicas stay near the start structure (psi1 = 152.3 degrees): the basin psi1 > 152 degrees
is sampled on both sides, which MBAR needs; the test checks the pipeline, not the flow."""
import subprocess
import sys

import numpy as np
import pytest
import torch

from conftest import ROOT
from openmmtsf.fingerprint import read_fingerprint


@pytest.mark.slow
def test_a_new_peptide_from_system_xml_goes_through_the_pipeline(tmp_path):
    output = tmp_path / "run"
    command = [sys.executable, str(ROOT / "examples" / "custom_system.py"), "--output", str(output), "--nanoseconds",
               "0.02", "--iterations", "30", "--steps", "400", "--platform", "Reference", "--basin", "psi1>152"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for step in ("md", "train", "sample", "analyze"):
        assert f"$ openmmtsf {step}" in result.stdout
    summary = (output / "tempering" / "summary.txt").read_text()
    for residue in ("ALA1", "SER2"):
        for region in ("alpha_R", "beta", "alpha_L"):
            assert f"{residue} {region}" in summary
    assert "basin psi1>152" in summary
    table = (output / "free-energy" / "free_energy.md").read_text()
    assert "free energy of psi1>152" in table
    with np.load(output / "tempering" / "ladder.npz") as ladder:
        assert [str(d).split("=")[0] for d in ladder["cv_definitions"]] == ["phi1", "psi1", "phi2", "psi2"]
    fingerprint = read_fingerprint(output / "flow.pt")
    assert len(fingerprint["elements"]) == 33 and len(fingerprint["constraints"]) == 17  # HBonds
    assert torch.jit.load(str(output / "flow.pt")).n_dims == 3 * 33 - 6 - 17
