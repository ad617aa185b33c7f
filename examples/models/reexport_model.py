#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Re-export a shipped TSF model with the installed torch: rebuild the Python flow from the current sources, load
the saved module's parameters into it, script and save it again, and check that both give the same outputs.

Usage: reexport_model.py MODEL.pt [--layers 8 --hidden 128]  (rewrites MODEL.pt atomically)
"""
import argparse
import os
import tempfile
from pathlib import Path

import torch

from openmmtsf.flows import ICNormalization, TemperatureSteerableFlow
from openmmtsf.train import export_model


def reexport(path: Path, layers: int, hidden: int) -> None:
    saved = torch.jit.load(str(path))
    state = saved.state_dict()
    normalization = ICNormalization(state["normalization.mean"], state["normalization.scale"],
                                    state["normalization.is_torsion"])
    flow = TemperatureSteerableFlow(normalization, saved.training_temperature, layers=layers, hidden=hidden,
                                    momenta=saved.n_aux > 0)
    flow.load_state_dict(state)
    temporary = Path(tempfile.mkdtemp(dir=path.parent)) / path.name  # same name: the archive's folder is named after it
    module = export_model(flow, temporary, saved.n_dims)
    generator = torch.Generator().manual_seed(0)
    z = torch.randn(64, saved.n_dims, dtype=torch.float64, generator=generator)
    q = torch.randn(64, saved.n_aux, dtype=torch.float64, generator=generator)
    with torch.no_grad():
        for old, new in zip(saved(z, q), module(z, q)):
            if not torch.equal(old, new):
                raise SystemExit(f"the re-exported model differs by {(old - new).abs().max().item()}")
    os.replace(temporary, path)
    temporary.parent.rmdir()
    print(f"{path}: re-exported with torch {torch.__version__}; outputs identical on 64 random inputs")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument("--hidden", type=int, default=128)
    arguments = parser.parse_args()
    reexport(arguments.model, arguments.layers, arguments.hidden)
