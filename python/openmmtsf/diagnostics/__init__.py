# SPDX-License-Identifier: MIT
"""How close a trained flow is to the Boltzmann distribution of its molecule (``openmmtsf evaluate MODEL``).

- samples: direct samples of the flow at a temperature and their log importance weights;
- observables: what is recorded of each sample (backbone torsions, cis amides, flipped stereo torsions);
- weights: reverse effective sample size with a bootstrap interval, and the heaviest weights;
- estimates: self-normalised importance-sampling estimates (<U>, Ramachandran regions), no Markov chain;
- acceptance: prior-move acceptance of TSFIntegrator per temperature;
- evaluation: all of the above for a model and a molecule; report: its tables (text and markdown);
- command: the ``evaluate`` subcommand.
"""
from .acceptance import prior_acceptance
from .command import add_evaluate_parser, run_evaluate
from .evaluation import Evaluation, TemperatureEvaluation, evaluate_model
from .report import report_markdown, report_text
from .weights import heaviest_samples, normalised_weights, reverse_ess, reverse_ess_interval

__all__ = ["Evaluation", "TemperatureEvaluation", "add_evaluate_parser", "evaluate_model", "heaviest_samples",
           "normalised_weights", "prior_acceptance", "report_markdown", "report_text", "reverse_ess",
           "reverse_ess_interval", "run_evaluate"]
