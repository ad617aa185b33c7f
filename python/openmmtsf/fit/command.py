# SPDX-License-Identifier: MIT
"""The command line's `fit`."""
from __future__ import annotations

import argparse

from ..molecule import add_molecule_arguments, molecule_from_arguments


def _fit(args: argparse.Namespace) -> None:
    from .config import FitConfig
    from .driver import fit
    config = FitConfig(t_min=args.t_min, t_max=args.t_max, budget_minutes=args.budget_minutes,
                       budget_energies=args.budget_energies, seed=args.seed, workers=args.workers)
    output = fit(molecule_from_arguments(args), args.output, config, args.work)
    print(f"exported {output}; report {output.with_name(output.name + '.md')}")


def add_fit_parser(commands) -> None:
    """Add `fit` to the command line's subcommands."""
    parser = commands.add_parser("fit", help="train a flow for a molecule from its System alone, in rounds of TSF "
                                             "replica exchange and retraining (resumable)")
    add_molecule_arguments(parser)
    parser.add_argument("--output", required=True, help="the TorchScript model to write; its report goes beside it")
    parser.add_argument("--t-min", type=float, default=300.0, help="lowest temperature (K)")
    parser.add_argument("--t-max", type=float, default=600.0, help="highest temperature (K)")
    parser.add_argument("--budget-minutes", type=float, default=90.0,
                        help="wall-clock minutes after which no new round starts (default 90)")
    parser.add_argument("--budget-energies", type=int,
                        help="energy evaluations after which no new round starts (default: no limit)")
    parser.add_argument("--workers", type=int, default=2, help="processes for seed MD and threads for training")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", help="folder for the stages' files, from which a rerun resumes "
                                       "(default: <output>.fit)")
    parser.set_defaults(run=_fit)
