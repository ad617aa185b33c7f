# SPDX-License-Identifier: MIT
"""TorchScript export under the model contract (docs/model-contract.md)."""
from __future__ import annotations

from pathlib import Path
from typing import Union

import torch


class ContractError(ValueError):
    """A model does not honour the plugin's model contract."""


def check_contract(module: torch.jit.ScriptModule, n_dims: int) -> None:
    """Check what the plugin checks: methods, attributes and output shapes on a batch of two.

    Raises:
        ContractError: naming what is missing or wrong.
    """
    for method in ("forward", "inverse"):
        if not hasattr(module, method):
            raise ContractError(f"the model has no method '{method}'")
    for attribute, kind in (("n_dims", int), ("n_aux", int), ("training_temperature", float)):
        if not isinstance(getattr(module, attribute, None), kind):
            raise ContractError(f"the model has no {kind.__name__} attribute '{attribute}'")
    if module.n_dims != n_dims:
        raise ContractError(f"the model has n_dims = {module.n_dims}, but the Z-matrix has {n_dims} internal coordinates")
    a = torch.zeros(2, module.n_dims, dtype=torch.float64)
    b = torch.zeros(2, module.n_aux, dtype=torch.float64)
    conditioned = bool(getattr(module, "temperature_conditioned", False))
    inputs = (a, b, torch.full((2,), float(module.training_temperature), dtype=torch.float64)) if conditioned else (a, b)
    with torch.no_grad():
        for name, outputs in (("forward", module(*inputs)), ("inverse", module.inverse(*inputs))):
            expected = [(2, module.n_dims), (2, module.n_aux), (2,)]
            if len(outputs) != 3 or any(tuple(o.shape) != e for o, e in zip(outputs, expected)):
                raise ContractError(f"the model's {name}() returns shapes {[tuple(o.shape) for o in outputs]}; "
                                    f"the contract expects {expected}")


def export_model(flow: torch.nn.Module, path: Union[str, Path], n_dims: int) -> torch.jit.ScriptModule:
    """Script a flow, check the contract, and save it with torch.jit.save. Returns the scripted module."""
    module = torch.jit.script(flow.eval())
    check_contract(module, n_dims)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.jit.save(module, str(path))
    return module
