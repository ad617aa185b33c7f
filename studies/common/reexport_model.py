#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Re-export a shipped model with the installed torch and the current flow sources: rebuild the Python flow, load
the saved module's parameters and buffers into it, script and save it again, and check that both give the same
outputs (to 1e-10 on 64 random inputs: a source change may reorder floating-point operations).

TSF models need their architecture (--layers, --hidden); a spline flow's is read from its tensors.
Usage: reexport_model.py MODEL.pt [--layers 8 --hidden 128]  (rewrites MODEL.pt atomically)
"""
import argparse
import os
import shutil
import tempfile
from pathlib import Path

import torch

from openmmtsf.flows import ICNormalization, SplineFlow, TemperatureSteerableFlow
from openmmtsf.train import export_model


def tsf_flow(saved: torch.jit.ScriptModule, layers: int, hidden: int) -> torch.nn.Module:
    """A TemperatureSteerableFlow of the given architecture holding the saved module's tensors."""
    state = saved.state_dict()
    normalization = ICNormalization(state["normalization.mean"], state["normalization.scale"],
                                    state["normalization.is_torsion"])
    flow = TemperatureSteerableFlow(normalization, saved.training_temperature, layers=layers, hidden=hidden,
                                    momenta=saved.n_aux > 0)
    flow.load_state_dict(state)
    return flow


def spline_flow(saved: torch.jit.ScriptModule) -> torch.nn.Module:
    """A SplineFlow holding the saved module's tensors; layers, bins, width and confined torsions are read from
    them. Every buffer that depends on the bond/angle split is loaded, so the split given to the constructor does
    not matter."""
    state = saved.state_dict()
    layers = len({key.split(".")[1] for key in state if key.startswith("couplings.")})
    hidden = state["couplings.0.net.0.weight"].shape[0]
    targets = state["couplings.0.circular_target"].numel() + state["couplings.0.interval_target"].numel()
    bins = (state["couplings.0.net.4.weight"].shape[0] // targets - 1) // 3
    circular = state["is_torsion"]  # the torsions on the circle; confined ones (stereo torsions) are not
    first_torsion = int(circular.nonzero()[0, 0])
    confined = [i for i in range(first_torsion, len(circular)) if not bool(circular[i])]
    flow = SplineFlow(state["center"], state["scale"], first_torsion, 0, saved.training_temperature,
                      bool(saved.temperature_conditioned), layers=layers, bins=bins, hidden=hidden,
                      confined_torsions=confined)
    flow.load_state_dict(state)
    return flow


def reexport(path: Path, layers: int, hidden: int) -> None:
    saved = torch.jit.load(str(path))
    is_spline = saved.original_name == "SplineFlow"
    flow = spline_flow(saved) if is_spline else tsf_flow(saved, layers, hidden)
    temporary = Path(tempfile.mkdtemp(dir=path.parent)) / path.name  # same name: the archive's folder is named after it
    module = export_model(flow, temporary, saved.n_dims)
    generator = torch.Generator().manual_seed(0)
    z = torch.randn(64, saved.n_dims, dtype=torch.float64, generator=generator)
    q = torch.randn(64, saved.n_aux, dtype=torch.float64, generator=generator)
    conditioned = is_spline and flow.temperature_conditioned
    temperatures = (torch.linspace(300.0, 600.0, 64, dtype=torch.float64),) if conditioned else ()
    with torch.no_grad():
        x = saved(z, q, *temperatures)[0]
        pairs = list(zip(saved(z, q, *temperatures), module(z, q, *temperatures)))
        pairs += list(zip(saved.inverse(x, q, *temperatures), module.inverse(x, q, *temperatures)))
        for old, new in pairs:
            if not torch.allclose(old, new, rtol=0.0, atol=1e-10):
                shutil.rmtree(temporary.parent)
                raise SystemExit(f"the re-exported model differs by {(old - new).abs().max().item()}")
    os.replace(temporary, path)
    temporary.parent.rmdir()
    print(f"{path}: re-exported with torch {torch.__version__}; outputs within 1e-10 on 64 random inputs")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument("--hidden", type=int, default=128)
    arguments = parser.parse_args()
    reexport(arguments.model, arguments.layers, arguments.hidden)
