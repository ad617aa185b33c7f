# SPDX-License-Identifier: MIT
"""The shipped flows on a GPU: agreement with the CPU, and the cost of one flow call on each.

Needs only PyTorch (no OpenMM), so it runs on a GPU machine without the rest of the stack
(`tests/gpu/device-check.sh` calls it). For each model file, at batch sizes 1, 8, 64 and 512 and at the model's
training temperature (or 300 K for a temperature-conditioned model), it draws latent points z ~ N(0, I), maps
them with forward() and back with inverse() on the CPU in float64 and on the GPU with float64 and float32 inputs
(the model itself as saved), and reports

* the largest difference between the GPU's and the CPU's outputs (coordinates and log-determinants), and
* the median wall time of one forward() + inverse() pair over repeats, in milliseconds, on each device.

Usage: python bench/flow_on_device.py MODEL.pt [MODEL.pt ...]
"""
from __future__ import annotations

import argparse
import statistics
import time
from typing import Callable, Tuple

import torch

BATCHES = (1, 8, 64, 512)
REPEATS = 21


def call_pair(model: torch.jit.ScriptModule, z: torch.Tensor, q: torch.Tensor, temperature: torch.Tensor | None
              ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """forward() then inverse(); returns (x, logdet of forward, z recovered by inverse)."""
    extra = () if temperature is None else (temperature,)
    x, p, logdet = model.forward(z, q, *extra)
    z_back, _, _ = model.inverse(x, p, *extra)
    return x, logdet, z_back


def median_ms(function: Callable[[], object], synchronize: Callable[[], None]) -> float:
    """Median wall time of function() over REPEATS calls after three warm-ups, in milliseconds."""
    for _ in range(3):
        function()
    synchronize()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        function()
        synchronize()
        times.append(1000.0 * (time.perf_counter() - start))
    return statistics.median(times)


def report(path: str, device: torch.device) -> None:
    """Print one model's agreement and call costs."""
    cpu = torch.jit.load(path, map_location="cpu").eval()
    conditioned = bool(getattr(cpu, "temperature_conditioned", False))
    kelvin = 300.0 if conditioned else float(cpu.training_temperature)
    print(f"{path}: n_dims {cpu.n_dims}, n_aux {cpu.n_aux}, temperature-conditioned {conditioned}, at {kelvin:g} K")
    print(f"{'batch':>6} {'max|dx| f64':>12} {'max|dlogdet| f64':>17} {'max|dx| f32':>12} "
          f"{'CPU ms':>8} {'GPU f64 ms':>11} {'GPU f32 ms':>11}")
    generator = torch.Generator().manual_seed(1)
    for batch in BATCHES:
        z = torch.randn(batch, cpu.n_dims, generator=generator, dtype=torch.float64)
        q = torch.randn(batch, cpu.n_aux, generator=generator, dtype=torch.float64)
        temperature = torch.full((batch,), kelvin, dtype=torch.float64) if conditioned else None
        with torch.inference_mode():
            x_cpu, logdet_cpu, _ = call_pair(cpu, z, q, temperature)
            cpu_ms = median_ms(lambda: call_pair(cpu, z, q, temperature), lambda: None)
            columns = []
            timings = []
            for dtype in (torch.float64, torch.float32):
                gpu = torch.jit.load(path, map_location=device).eval()
                args = (z.to(device, dtype), q.to(device, dtype),
                        None if temperature is None else temperature.to(device, dtype))
                x_gpu, logdet_gpu, _ = call_pair(gpu, *args)
                columns.append((x_gpu.double().cpu() - x_cpu).abs().max().item())
                if dtype == torch.float64:
                    columns.append((logdet_gpu.double().cpu() - logdet_cpu).abs().max().item())
                timings.append(median_ms(lambda: call_pair(gpu, *args), torch.cuda.synchronize))
        print(f"{batch:>6} {columns[0]:>12.2e} {columns[1]:>17.2e} {columns[2]:>12.2e} "
              f"{cpu_ms:>8.2f} {timings[0]:>11.2f} {timings[1]:>11.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="TorchScript model files")
    arguments = parser.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("flow_on_device.py needs a CUDA device; torch.cuda.is_available() is False")
    torch.set_num_threads(1)
    device = torch.device("cuda")
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name(device)}; CPU with 1 thread")
    for path in arguments.models:
        report(path, device)


if __name__ == "__main__":
    main()
