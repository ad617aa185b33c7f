# SPDX-License-Identifier: MIT
"""The ``evaluate`` subcommand: ``openmmtsf evaluate MODEL --pdb PDB [--system XML | --forcefield FILE ...]``."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..molecule import add_molecule_arguments, molecule_from_arguments
from ..run_files import write_atomically


def add_evaluate_parser(commands) -> argparse.ArgumentParser:
    """Add the ``evaluate`` subcommand to an argparse subparsers object (``parser.add_subparsers()``); its
    ``run`` default is run_evaluate(). Returns the subcommand's parser."""
    evaluate = commands.add_parser(
        "evaluate", help="how close a trained flow is to the Boltzmann distribution: reverse ESS with a bootstrap "
        "interval, prior-move acceptance, share out of range and the heaviest weights, per temperature",
        description="Direct samples of the flow at each temperature, weighted against exp(-U/kT): the reverse "
                    "effective sample size (ESS, in [0, 1]) with a percentile-bootstrap 95% interval over the "
                    "samples' weights, the share of samples out of range, the heaviest normalised weights with "
                    "their backbone torsions, and importance-sampling estimates; and the acceptance of "
                    "TSFIntegrator's prior moves, one replica per temperature, no exchanges.")
    evaluate.add_argument("model", help="the trained flow (TorchScript file)")
    add_molecule_arguments(evaluate)
    evaluate.add_argument("--temperatures", type=float, nargs="+", metavar="KELVIN", default=[300.0, 450.0, 600.0])
    evaluate.add_argument("--samples", type=int, metavar="N", default=20000,
                          help="direct samples per set and temperature")
    evaluate.add_argument("--repeats", type=int, metavar="R", default=1,
                          help="independent sets of --samples samples (seeds --seed, --seed + 1, ...); their ESS "
                               "spread shows what the bootstrap cannot: samples that no set drew")
    evaluate.add_argument("--bootstrap", type=int, metavar="B", default=1000,
                          help="bootstrap resamples for the ESS interval (0: none)")
    evaluate.add_argument("--prior-steps", type=int, metavar="S", default=2000, help="prior moves per temperature")
    evaluate.add_argument("--top", type=int, metavar="K", default=10, help="how many of the heaviest samples to list")
    evaluate.add_argument("--trans-only", action="store_true",
                          help="importance-sampling estimates over trans-amide samples only (as MD samples them)")
    evaluate.add_argument("--platform", default="Reference", help="OpenMM platform for energies and prior moves")
    evaluate.add_argument("--seed", type=int, default=1)
    evaluate.add_argument("--output", metavar="FILE.md", help="also write the report to this markdown file")
    evaluate.add_argument("--quiet", action="store_true", help="no progress bars")
    evaluate.set_defaults(run=run_evaluate)
    return evaluate


def run_evaluate(args: argparse.Namespace) -> None:
    """Run the ``evaluate`` subcommand: print the report, and write it as markdown to ``args.output`` if given.

    Raises:
        FileNotFoundError: for a missing model, PDB or System file.
        ValueError: for bad settings, an unsupported System, or a model made for another molecule.
    """
    from .evaluation import evaluate_model
    from .report import report_markdown, report_text
    if not Path(args.model).is_file():
        raise FileNotFoundError(f"No model at {args.model}")
    molecule = molecule_from_arguments(args)
    evaluation = evaluate_model(args.model, molecule, args.temperatures, samples=args.samples, repeats=args.repeats,
                                bootstrap=args.bootstrap, prior_steps=args.prior_steps, seed=args.seed, top=args.top,
                                platform=args.platform, trans_only=args.trans_only, progress=not args.quiet,
                                pdb=args.pdb)
    print(report_text(evaluation))
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        write_atomically(Path(args.output), report_markdown(evaluation).encode())
        print(f"written: {args.output}")
