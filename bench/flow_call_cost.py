#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The cost of one flow call on the CPU, for several model files side by side in one run.

For each batch size, each model's forward() and inverse() are timed on the same float64 inputs (latent points
z ~ N(0, I); inverse() at the forward() outputs; every row at 300 K for a temperature-conditioned model), in
inference mode on one libtorch thread, as the median of 21 calls after three warm-ups. The first model is the
baseline of the ratios; the largest difference of each model's outputs from the baseline's is printed too, so that
a faster export of the same weights shows that it computes the same function.

Run: OMP_NUM_THREADS=1 .venv/bin/python bench/flow_call_cost.py BASELINE.pt OTHER.pt [...] [--batches 6 64 384]
(for example an older export of a model from git, `git show HEAD~1:models/X.pt > /tmp/old.pt`).
"""
import argparse
import importlib.util
from pathlib import Path
from typing import List, Tuple

import torch


def _sibling(name: str):
    """The bench script `name`.py next to this one, imported by its path (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", Path(__file__).resolve().with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


median_ms = _sibling("flow_on_device").median_ms


def inputs(model: torch.jit.ScriptModule, batch: int, generator: torch.Generator) -> Tuple[torch.Tensor, ...]:
    """(z, q) and, for a temperature-conditioned model, each row's temperature (300 K)."""
    z = torch.randn(batch, model.n_dims, dtype=torch.float64, generator=generator)
    q = torch.randn(batch, model.n_aux, dtype=torch.float64, generator=generator)
    if bool(getattr(model, "temperature_conditioned", False)):
        return z, q, torch.full((batch,), 300.0, dtype=torch.float64)
    return z, q


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="+", help="TorchScript model files; the first is the baseline")
    parser.add_argument("--batches", type=int, nargs="+", default=[6, 64, 384], help="rows per call")
    args = parser.parse_args()
    torch.set_num_threads(1)
    models: List[torch.jit.ScriptModule] = [torch.jit.load(path).eval() for path in args.models]
    print("| batch | model | forward ms | inverse ms | µs per row (both) | vs baseline | max output difference |")
    print("|---|---|---|---|---|---|---|")
    for batch in args.batches:
        arguments = inputs(models[0], batch, torch.Generator().manual_seed(batch))
        baseline_total, baseline_outputs = 0.0, None
        for path, model in zip(args.models, models):
            with torch.inference_mode():
                x, p, _ = model(*arguments)
                backward_arguments = (x, p) + arguments[2:]
                outputs = torch.cat([model(*arguments)[0], model.inverse(*backward_arguments)[0]])
                forward_ms = median_ms(lambda: model(*arguments), lambda: None)
                inverse_ms = median_ms(lambda: model.inverse(*backward_arguments), lambda: None)
            total = forward_ms + inverse_ms
            if baseline_outputs is None:
                baseline_total, baseline_outputs = total, outputs
            difference = (outputs - baseline_outputs).abs().max().item()
            print(f"| {batch} | {path} | {forward_ms:.2f} | {inverse_ms:.2f} | {1000.0 * total / batch:.0f} | "
                  f"{baseline_total / total:.2f}x | {difference:.1e} |")


if __name__ == "__main__":
    main()
