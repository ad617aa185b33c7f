#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Record in a model exported before models knew their molecule the fingerprint of the molecule it was trained for
(openmmtsf.fingerprint), so that every command refuses it for another molecule or atom order. The module is saved
again with the fingerprint as an extra file: its code and tensors are unchanged, which the script checks on a batch
of inputs (outputs equal bit for bit).

Usage: stamp_fingerprint.py MODEL.pt --pdb MOLECULE.pdb [--system SYSTEM.xml | --forcefield FILE ...]
(rewrites MODEL.pt atomically)
"""
import argparse
import io
from pathlib import Path

import torch

from openmmtsf.fingerprint import fingerprint_extra_files, molecule_fingerprint
from openmmtsf.molecule import add_molecule_arguments, molecule_from_arguments
from openmmtsf.run_files import write_atomically
from openmmtsf.topology import internal_coordinates_from_topology


def outputs(module: torch.jit.ScriptModule) -> list:
    """forward() and inverse() of a seeded batch of inputs (with the training temperature, if conditioned)."""
    generator = torch.Generator().manual_seed(0)
    inputs = [torch.randn(8, module.n_dims, generator=generator, dtype=torch.float64),
              torch.randn(8, module.n_aux, generator=generator, dtype=torch.float64)]
    if bool(getattr(module, "temperature_conditioned", False)):
        inputs.append(torch.full((8,), float(module.training_temperature), dtype=torch.float64))
    with torch.no_grad():
        return [t for method in (module.forward, module.inverse) for t in method(*inputs)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", type=Path)
    add_molecule_arguments(parser)
    args = parser.parse_args()
    molecule = molecule_from_arguments(args)
    definition = internal_coordinates_from_topology(molecule.topology, molecule.system)
    module = torch.jit.load(str(args.model))
    if module.n_dims != definition.getNumInternalCoordinates():
        raise SystemExit(f"{args.model} has {module.n_dims} dimensions; the molecule has "
                         f"{definition.getNumInternalCoordinates()} internal coordinates")
    buffer = io.BytesIO()
    extra = fingerprint_extra_files(molecule_fingerprint(molecule.topology, molecule.system, definition))
    torch.jit.save(module, buffer, _extra_files=extra)
    stamped = torch.jit.load(io.BytesIO(buffer.getvalue()))
    if not all(torch.equal(a, b) for a, b in zip(outputs(module), outputs(stamped))):
        raise SystemExit("the saved module's outputs differ from the original's: not written")
    write_atomically(args.model, buffer.getvalue())
    print(f"{args.model}: fingerprint of {args.pdb} recorded")


if __name__ == "__main__":
    main()
