# SPDX-License-Identifier: MIT
"""The openmmtsf command line."""
from __future__ import annotations

import argparse
import sys

import numpy as np
from typing import List, Optional

from .diagnostics import add_evaluate_parser
from .fit.command import add_fit_parser
from .molecule import add_molecule_arguments, molecule_from_arguments
from .simulation.time_step import STEP_FS


def _extra_variables(args: argparse.Namespace, molecule) -> list:
    """The collective variables given with --cv, read against the molecule's topology."""
    from .collective_variables import parse_cv
    return [parse_cv(text, molecule.topology) for text in args.cv or []]


def _add_observable_arguments(parser: argparse.ArgumentParser, basin: bool = True) -> None:
    parser.add_argument("--cv", action="append", metavar="NAME=KIND:ATOMS",
                        help="a collective variable to record besides every residue's backbone phi<i> and psi<i> "
                             "(i: the residue's 0-based index): KIND dihedral, angle or distance; ATOMS comma-separated "
                             "0-based atom indices or mdtraj selections of one atom each, e.g. "
                             "phi3=dihedral:14,16,18,24 (repeatable)")
    if basin:
        parser.add_argument("--basin", help="the basin whose population and free energy against temperature are "
                                            "reported: conditions on collective variables joined by 'and' (angles in "
                                            "degrees, distances in nm), e.g. 'phi2>0' (default: phi>0 of the first "
                                            "residue with a backbone phi)")


def _md(args: argparse.Namespace) -> None:
    from .simulation import run_md
    if not args.timestep > 0:
        raise SystemExit(f"--timestep must be positive, not {args.timestep} fs")
    steps_per_frame = int(round(args.frame_interval * 1000.0 / args.timestep))
    if steps_per_frame < 1:
        raise SystemExit(f"--frame-interval must be at least one {args.timestep:g} fs step, "
                         f"not {args.frame_interval} ps")
    frames = int(round(args.nanoseconds * 1000 / args.frame_interval))
    start = None
    if args.start_pdb:
        from openmm import app, unit
        start = app.PDBFile(args.start_pdb).getPositions(asNumpy=True).value_in_unit(unit.nanometer)
    data = run_md(molecule_from_arguments(args), args.temperature, frames, args.output, platform=args.platform, seed=args.seed,
                  steps_per_frame=steps_per_frame, initial_positions=start, timestep_fs=args.timestep)
    print(f"{args.output}: {len(data['positions'])} frames at {args.temperature:g} K")


def _remd(args: argparse.Namespace) -> None:
    from .simulation import run_remd
    from .tsfplugin import TSFIntegrator
    temperatures = TSFIntegrator.geometricTemperatures(args.t_min, args.t_max, args.replicas)
    molecule = molecule_from_arguments(args)
    data = run_remd(molecule, temperatures, int(round(args.nanoseconds * 1000)), args.output, platform=args.platform,
                    seed=args.seed, timestep_fs=args.timestep, extra_variables=_extra_variables(args, molecule))
    print(f"{args.output}: {len(data['cvs'])} cycles; exchange acceptance {np.round(data['acceptance'], 3).tolist()}")


def _train(args: argparse.Namespace) -> None:
    from .train import TrainingConfig, train_molecule
    if args.initial_model is not None and args.kl_weight is None:
        raise SystemExit("train: --initial-model needs --kl-weight (its architecture's default is not known here)")
    kl_weight = args.kl_weight if args.kl_weight is not None else (0.0 if args.architecture == "spline" else 0.2)
    config = TrainingConfig(iterations=args.iterations, batch_size=args.batch_size, kl_weight=kl_weight, seed=args.seed,
                            learning_rate=args.learning_rate, cosine_schedule=args.cosine_schedule,
                            ml_only_fraction=args.ml_only_fraction, kl_batch_size=args.kl_batch_size)
    path = train_molecule(molecule_from_arguments(args), args.data, args.output, config, architecture=args.architecture,
                          layers=args.layers, hidden=args.hidden, confine_stereo=args.confine_stereo,
                          initial_model=args.initial_model)
    print(f"exported {path}")


def _reweight(args: argparse.Namespace) -> None:
    from .train import ReweightingConfig, refine_molecule
    from .tsfplugin import TSFIntegrator
    temperatures = args.temperatures or TSFIntegrator.geometricTemperatures(args.t_min, args.t_max, args.replicas)
    config = ReweightingConfig(temperatures=list(temperatures), iterations=args.iterations, batch_size=args.batch_size,
                               learning_rate=args.learning_rate, seed=args.seed, objective=args.objective)
    print(f"exported {refine_molecule(molecule_from_arguments(args), args.model, args.output, config)}")


def _sample(args: argparse.Namespace) -> None:
    from pathlib import Path

    from .tempering import run_tempering
    from .tsfplugin import TSFIntegrator
    temperatures = args.temperatures or TSFIntegrator.geometricTemperatures(args.t_min, args.t_max, args.replicas)
    molecule = molecule_from_arguments(args)
    run_tempering(molecule, Path(args.model), temperatures, args.steps, Path(args.output), platform=args.platform,
                  seed=args.seed, prior_move_probability=args.prior_move_probability,
                  adaptation_steps=args.adaptation_steps, reference=Path(args.reference) if args.reference else None,
                  overwrite=args.overwrite,
                  exchange_interval=args.exchange_interval, proposals_per_flow_call=args.proposals_per_flow_call,
                  single_precision_flow=args.single_precision_flow,
                  extra_variables=_extra_variables(args, molecule), basin=args.basin)


def _analyze(args: argparse.Namespace) -> None:
    from pathlib import Path

    from .free_energy_report import analyze
    print(analyze([Path(run) for run in args.runs], [Path(reference) for reference in args.reference or []],
                  Path(args.output), basin=args.basin, points=args.grid_points, trans_only=args.trans_only))
    print(f"written: {Path(args.output) / 'free_energy.md'}, free_energy.csv, free_energy.png")


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m openmmtsf", description="Temperature-steerable flows in OpenMM.")
    commands = parser.add_subparsers(dest="command", required=True)
    md = commands.add_parser("md", help="run Langevin MD and save frames (resumable)")
    add_molecule_arguments(md)
    md.add_argument("--temperature", type=float, required=True, help="kelvin")
    md.add_argument("--nanoseconds", type=float, required=True, help="length of the trajectory in ns")
    md.add_argument("--output", required=True, help="the .npz file to write (and resume from)")
    md.add_argument("--platform", default="Reference", help="OpenMM platform (Reference is fastest for small molecules)")
    md.add_argument("--seed", type=int, default=1)
    md.add_argument("--frame-interval", type=float, default=1.0, help="picoseconds between saved frames")
    md.add_argument("--start-pdb", help="start from this PDB's positions (same atoms) instead of --pdb's")
    md.add_argument("--timestep", type=float, default=STEP_FS,
                    help=f"LangevinMiddle time step in fs (default {STEP_FS:g})")
    md.set_defaults(run=_md)
    remd = commands.add_parser("remd", help="temperature replica-exchange MD, recording every temperature (resumable)")
    add_molecule_arguments(remd)
    _add_observable_arguments(remd, basin=False)
    remd.add_argument("--t-min", type=float, default=300.0, help="lowest temperature (K)")
    remd.add_argument("--t-max", type=float, default=600.0, help="highest temperature (K)")
    remd.add_argument("--replicas", type=int, default=6, help="temperatures in the geometric ladder")
    remd.add_argument("--nanoseconds", type=float, required=True, help="simulated time per replica")
    remd.add_argument("--output", required=True, help="the .npz file to write (and resume from)")
    remd.add_argument("--platform", default="Reference")
    remd.add_argument("--seed", type=int, default=1)
    remd.add_argument("--timestep", type=float, default=STEP_FS,
                      help=f"LangevinMiddle time step in fs (default {STEP_FS:g}; each exchange cycle is 1 ps)")
    remd.set_defaults(run=_remd)
    train = commands.add_parser("train", help="train a flow on an MD trajectory and export it (resumable)")
    add_molecule_arguments(train)
    train.add_argument("--data", required=True, nargs="+",
                       help="training trajectories (.npz from `md`); several temperatures train a temperature-conditioned "
                            "spline flow")
    train.add_argument("--output", required=True, help="the TorchScript file to export")
    train.add_argument("--architecture", choices=["tsf", "realnvp", "spline"], default="tsf",
                       help="tsf: the paper's flow; realnvp; spline: circular spline couplings, valid ICs by construction")
    train.add_argument("--iterations", type=int, default=3000)
    train.add_argument("--batch-size", type=int, default=256)
    train.add_argument("--kl-weight", type=float,
                       help="final weight of the energy (KL) loss (default: 0.2 for tsf and realnvp, 0 for spline)")
    train.add_argument("--learning-rate", type=float, default=1e-3, help="Adam's (initial) learning rate")
    train.add_argument("--cosine-schedule", action="store_true", help="let the learning rate fall to 0 along a half cosine")
    train.add_argument("--layers", type=int, default=8)
    train.add_argument("--hidden", type=int, default=128)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--confine-stereo", action="store_true",
                       help="spline: keep the sign of the torsions that fix stereocentres and the order of equivalent "
                            "hydrogens (openmmtsf.stereo), so that no proposal is a mirror image or a relabelling")
    train.add_argument("--initial-model",
                       help="continue from this trained model (TorchScript) instead of a new flow, e.g. to add KL "
                            "training; the architecture options then do not apply")
    train.add_argument("--ml-only-fraction", type=float, default=0.5,
                       help="fraction of the iterations on maximum likelihood alone, before the KL weight ramps up "
                            "over half of the rest")
    train.add_argument("--kl-batch-size", type=int, default=64, help="flow samples per iteration for the KL loss")
    train.set_defaults(run=_train)
    reweight = commands.add_parser("reweight", help="refine a temperature-conditioned flow by reweighted maximum "
                                   "likelihood on its own samples at every ladder temperature (resumable)")
    add_molecule_arguments(reweight)
    reweight.add_argument("--model", required=True, help="the trained, temperature-conditioned flow (TorchScript)")
    reweight.add_argument("--output", required=True, help="the refined TorchScript file to export")
    reweight.add_argument("--temperatures", type=float, nargs="+", help="kelvin; default: a geometric ladder")
    reweight.add_argument("--t-min", type=float, default=300.0, help="lowest temperature of the ladder (K)")
    reweight.add_argument("--t-max", type=float, default=600.0, help="highest temperature of the ladder (K)")
    reweight.add_argument("--replicas", type=int, default=6, help="temperatures in the ladder")
    reweight.add_argument("--iterations", type=int, default=1000)
    reweight.add_argument("--batch-size", type=int, default=512)
    reweight.add_argument("--learning-rate", type=float, default=1e-4)
    reweight.add_argument("--seed", type=int, default=0)
    reweight.add_argument("--objective", choices=["forward-kl", "chi-square"], default="forward-kl",
                          help="forward-kl: weights w; chi-square: weights w^2, a step on the chi-square divergence, "
                               "whose minimum is the largest reverse ESS")
    reweight.set_defaults(run=_reweight)
    sample = commands.add_parser("sample", help="replica-exchange tempering with a trained flow, with a summary")
    add_molecule_arguments(sample)
    _add_observable_arguments(sample)
    sample.add_argument("--model", required=True, help="the trained flow (TorchScript)")
    sample.add_argument("--temperatures", type=float, nargs="+", help="kelvin; default: a geometric ladder")
    sample.add_argument("--t-min", type=float, default=300.0, help="lowest temperature of the ladder (K)")
    sample.add_argument("--t-max", type=float, default=600.0, help="highest temperature of the ladder (K)")
    sample.add_argument("--replicas", type=int, default=6, help="temperatures in the ladder")
    sample.add_argument("--steps", type=int, default=20000, help="Monte Carlo steps after adaptation")
    sample.add_argument("--adaptation-steps", type=int, default=1000, help="steps that tune sigma (discarded)")
    sample.add_argument("--prior-move-probability", type=float,
                        help="share of prior (Boltzmann-generator) moves (default: the integrator's, 1: prior moves "
                             "only; lower it for a flow whose prior moves are rarely accepted)")
    sample.add_argument("--exchange-interval", type=int,
                        help="steps between exchange attempts (default: the integrator's, 25, the fastest setting "
                             "measured: bench/README.md)")
    sample.add_argument("--proposals-per-flow-call", type=int,
                        help="prior proposals drawn per flow call and replica (default: the integrator's)")
    sample.add_argument("--single-precision-flow", action="store_true",
                        help="run a float32 copy of the flow (TSFIntegrator.SinglePrecisionFlow; on a CPU the "
                             "default flow's steps are no faster: bench/README.md)")
    sample.add_argument("--output", default="tsf-sample", help="folder for the log, trajectory, XML and summary")
    sample.add_argument("--reference", help="an MD or replica-exchange MD file (.npz from `md` or `remd`) to compare "
                                            "the lowest temperature's populations with")
    sample.add_argument("--overwrite", action="store_true", help="replace the results already in the output folder")
    sample.add_argument("--platform", default="Reference")
    sample.add_argument("--seed", type=int, default=1)
    sample.set_defaults(run=_sample)
    analyze = commands.add_parser("analyze", help="a basin's population and free energy against temperature, by MBAR "
                                  "over every temperature of tempering runs (and references)")
    analyze.add_argument("runs", nargs="+", help="`sample` output folders (independent runs are combined)")
    analyze.add_argument("--reference", nargs="+", help="replica-exchange MD .npz files from `remd`")
    analyze.add_argument("--output", required=True, help="folder for free_energy.md, .csv and .png")
    analyze.add_argument("--basin", help="conditions on the recorded collective variables joined by 'and' (angles "
                                         "in degrees, distances in nm), e.g. 'phi2>0' (default: phi>0 of the first "
                                         "residue with a backbone phi)")
    analyze.add_argument("--grid-points", type=int, default=31, help="temperatures of the grid between the ladder's ends")
    analyze.add_argument("--trans-only", action="store_true",
                         help="restrict every set to frames whose amides are trans (MD never crosses the cis-trans "
                              "barrier here; the flow proposes cis amides)")
    analyze.set_defaults(run=_analyze)
    add_evaluate_parser(commands)
    add_fit_parser(commands)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except (FileNotFoundError, FileExistsError, ValueError, RuntimeError) as error:
        sys.exit(f"error: {error}")
