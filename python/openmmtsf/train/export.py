# SPDX-License-Identifier: MIT
"""TorchScript export under the model contract (docs/model-contract.md)."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Dict, Optional, Tuple, Union

import torch

from ..fingerprint import fingerprint_extra_files

class ContractError(ValueError):
    """A model does not honour the plugin's model contract."""


# How PyTorch reports an operation on tensors of two devices.
_MIXED_DEVICES = ("is not on the expected device", "to be on the same device")


def _inputs(module: torch.jit.ScriptModule, device: str) -> Tuple[torch.Tensor, ...]:
    """A batch of two zero inputs for forward()/inverse() on a device, with temperatures if the model takes them."""
    a = torch.zeros(2, module.n_dims, dtype=torch.float64, device=device)
    b = torch.zeros(2, module.n_aux, dtype=torch.float64, device=device)
    if not bool(getattr(module, "temperature_conditioned", False)):
        return a, b
    return a, b, torch.full((2,), float(module.training_temperature), dtype=torch.float64, device=device)


def check_device_placement(module: torch.jit.ScriptModule) -> None:
    """Check that forward() and inverse() create no tensor on the host when their inputs live elsewhere.

    A model used on a GPU (the plugin's CUDA platform) must create its tensors on its inputs' device. The check runs
    the model on PyTorch's data-free ``meta`` device, where a host tensor meets a meta tensor and fails, so it needs
    no GPU. An operation without a meta implementation leaves the check inconclusive, and it passes.

    Raises:
        ContractError: naming the method that mixes devices.
    """
    buffer = io.BytesIO()
    torch.jit.save(module, buffer)
    buffer.seek(0)
    meta = torch.jit.load(buffer, map_location="meta")
    inputs = _inputs(meta, "meta")
    for name in ("forward", "inverse"):
        try:
            getattr(meta, name)(*inputs)
        except RuntimeError as error:
            if any(phrase in str(error) for phrase in _MIXED_DEVICES):
                raise ContractError(f"the model's {name}() creates a tensor on the host while its inputs live on "
                                    "another device; create tensors on the inputs' device (x.new_zeros(...), "
                                    "torch.zeros_like(...), device=x.device)") from error
        except NotImplementedError:
            return


def check_contract(module: torch.jit.ScriptModule, n_dims: int) -> None:
    """Check what the plugin checks (methods, attributes and output shapes on a batch of two), and that the model
    keeps its tensors on its inputs' device.

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
    inputs = _inputs(module, "cpu")
    with torch.no_grad():
        for name, outputs in (("forward", module(*inputs)), ("inverse", module.inverse(*inputs))):
            expected = [(2, module.n_dims), (2, module.n_aux), (2,)]
            if len(outputs) != 3 or any(tuple(o.shape) != e for o, e in zip(outputs, expected)):
                raise ContractError(f"the model's {name}() returns shapes {[tuple(o.shape) for o in outputs]}; "
                                    f"the contract expects {expected}")
    check_device_placement(module)


def export_model(flow: torch.nn.Module, path: Union[str, Path], n_dims: int,
                 fingerprint: Optional[Dict[str, object]] = None) -> torch.jit.ScriptModule:
    """Script a flow, check the contract, and save it with torch.jit.save, with the fingerprint of the molecule it
    is made for (openmmtsf.fingerprint.molecule_fingerprint()) inside, if given. Returns the scripted module."""
    module = torch.jit.script(flow.eval())
    check_contract(module, n_dims)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.jit.save(module, str(path), _extra_files=fingerprint_extra_files(fingerprint) if fingerprint else None)
    return module
