"""The openmmtsf command line."""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional


def _md(args: argparse.Namespace) -> None:
    from .data import run_md
    frames = int(round(args.nanoseconds * 1000))
    data = run_md(args.pdb, args.temperature, frames, args.output, platform=args.platform, seed=args.seed)
    print(f"{args.output}: {len(data['positions'])} frames at {args.temperature:g} K")


def _train(args: argparse.Namespace) -> None:
    from .train import TrainingConfig, train_molecule
    config = TrainingConfig(iterations=args.iterations, batch_size=args.batch_size, kl_weight=args.kl_weight, seed=args.seed)
    path = train_molecule(args.pdb, args.data, args.output, config, architecture=args.architecture,
                          layers=args.layers, hidden=args.hidden)
    print(f"exported {path}")


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m openmmtsf", description="Temperature-steerable flows in OpenMM.")
    commands = parser.add_subparsers(dest="command", required=True)
    md = commands.add_parser("md", help="run MD in implicit solvent and save frames every 1 ps (resumable)")
    md.add_argument("--pdb", required=True, help="the molecule's PDB file")
    md.add_argument("--temperature", type=float, required=True, help="kelvin")
    md.add_argument("--nanoseconds", type=float, required=True, help="length of the trajectory in ns")
    md.add_argument("--output", required=True, help="the .npz file to write (and resume from)")
    md.add_argument("--platform", default="Reference", help="OpenMM platform (Reference is fastest for small molecules)")
    md.add_argument("--seed", type=int, default=1)
    md.set_defaults(run=_md)
    train = commands.add_parser("train", help="train a flow on an MD trajectory and export it (resumable)")
    train.add_argument("--pdb", required=True, help="the molecule's PDB file")
    train.add_argument("--data", required=True, help="the training trajectory (.npz from `md`)")
    train.add_argument("--output", required=True, help="the TorchScript file to export")
    train.add_argument("--architecture", choices=["tsf", "realnvp"], default="tsf")
    train.add_argument("--iterations", type=int, default=3000)
    train.add_argument("--batch-size", type=int, default=256)
    train.add_argument("--kl-weight", type=float, default=0.2, help="final weight of the energy (KL) loss")
    train.add_argument("--layers", type=int, default=8)
    train.add_argument("--hidden", type=int, default=128)
    train.add_argument("--seed", type=int, default=0)
    train.set_defaults(run=_train)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except (FileNotFoundError, ValueError, RuntimeError) as error:
        sys.exit(f"error: {error}")
