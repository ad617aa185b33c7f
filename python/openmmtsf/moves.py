# SPDX-License-Identifier: MIT
"""TSFMove: the plugin's latent flow moves as an openmmtools MCMCMove.

openmmtools' multi-state samplers (``ReplicaExchangeSampler``, ``ParallelTemperingSampler``,
``MultiStateSampler``) then run TSF moves on replicas spread over MPI ranks, store them in NetCDF, resume, and
analyse them with MBAR. The move binds a one-replica ``TSFIntegrator`` to a Context from openmmtools' context
cache: the acceptance rule, the flow and the internal-coordinate kernel are the plugin's C++, as in a plain
TSFIntegrator run. The ``ThermodynamicState``'s System must hold one TSFForce (frequency 0, so that other moves'
Contexts do no flow jumps).
"""
from typing import Dict, Optional

from openmm import unit
from openmmtools.mcmc import BaseIntegratorMove

from .multistate import mpi_rank
from .tsfplugin import TSFIntegrator

_MOVE_TYPES = {"random_walk": TSFIntegrator.RandomWalkMove, "prior": TSFIntegrator.PriorMove}


class TSFMove(BaseIntegratorMove):
    """``n_steps`` TSF steps at the thermodynamic state's temperature: each is a prior (independence) proposal
    from the flow with probability ``prior_move_probability``, else a latent random walk, accepted or rejected exactly
    (docs/model-contract.md). Composes with other moves, e.g. ``SequenceMove([TSFMove(...),
    LangevinDynamicsMove(...)])``.

    Args:
        n_steps: TSF steps per application.
        prior_move_probability: the probability of a prior (independence) move at each step, in [0, 1] (default 1, as
            TSFIntegrator's: prior moves only, the fastest; lower it for a flow whose prior moves are rarely accepted).
        latent_step_size: the latent random walk's standard deviation (dimensionless; None keeps the
            integrator's default).
        proposals_per_flow_call: prior proposals drawn per flow call (None keeps the integrator's default).
        random_seed: 0 draws a new seed for each Context; another value seeds the Context of MPI rank r with
            ``random_seed + r``, so that a run is reproducible and the ranks' random streams differ.

    Attributes:
        statistics: ``n_proposed`` and ``n_accepted`` per move type (``random_walk``, ``prior``), summed over
            every application of this move object, and ``n_out_of_range``.
    """

    def __init__(self, n_steps: int = 10, prior_move_probability: float = 1.0, latent_step_size: Optional[float] = None,
                 proposals_per_flow_call: Optional[int] = None, random_seed: int = 0, **kwargs) -> None:
        kwargs.setdefault("n_restart_attempts", 0)  # a failed TSF step is an error to report, not a NaN to retry
        super().__init__(n_steps, **kwargs)
        if not 0.0 <= prior_move_probability <= 1.0:
            raise ValueError(f"TSFMove: prior_move_probability must be in [0, 1], not {prior_move_probability}")
        if latent_step_size is not None and not latent_step_size > 0.0:
            raise ValueError(f"TSFMove: latent_step_size must be positive, not {latent_step_size}")
        if proposals_per_flow_call is not None and proposals_per_flow_call < 1:
            raise ValueError(f"TSFMove: proposals_per_flow_call must be at least 1, not {proposals_per_flow_call}")
        self.prior_move_probability = float(prior_move_probability)
        self.latent_step_size = latent_step_size
        self.proposals_per_flow_call = proposals_per_flow_call
        self.random_seed = int(random_seed)
        self.reset_statistics()
        self._counts_before: Dict[str, int] = {}

    def reset_statistics(self) -> None:
        """Set every count in ``statistics`` to zero."""
        self.statistics = {f"n_{what}_{move}": 0 for move in _MOVE_TYPES for what in ("proposed", "accepted")}
        self.statistics["n_out_of_range"] = 0

    def _get_integrator(self, thermodynamic_state) -> TSFIntegrator:
        integrator = TSFIntegrator(thermodynamic_state.temperature.value_in_unit(unit.kelvin))
        integrator.setPriorMoveProbability(self.prior_move_probability)
        if self.latent_step_size is not None:
            integrator.setLatentStepSize(self.latent_step_size)
        if self.proposals_per_flow_call is not None:
            integrator.setProposalsPerFlowCall(self.proposals_per_flow_call)
        if self.random_seed != 0:
            integrator.setRandomNumberSeed(self.random_seed + mpi_rank())
        return integrator

    @staticmethod
    def _counts(context) -> Dict[str, int]:
        integrator = TSFIntegrator.cast(context.getIntegrator())
        counts = {"n_out_of_range": integrator.getNumOutOfRange(0)}
        for name, move in _MOVE_TYPES.items():
            counts[f"n_proposed_{name}"] = integrator.getNumMovesAttempted(0, move)
            counts[f"n_accepted_{name}"] = integrator.getNumMovesAccepted(0, move)
        return counts

    def _before_integration(self, context, thermodynamic_state) -> None:
        self._counts_before = self._counts(context)

    def _after_integration(self, context, thermodynamic_state) -> None:
        for name, count in self._counts(context).items():
            self.statistics[name] += count - self._counts_before[name]

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.update(prior_move_probability=self.prior_move_probability, latent_step_size=self.latent_step_size,
                     proposals_per_flow_call=self.proposals_per_flow_call, random_seed=self.random_seed,
                     statistics=dict(self.statistics))
        return state

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        # Moves stored by openmmtsf 0.2.0 and earlier (in openmmtools' storage files) named it prior_probability.
        self.prior_move_probability = state.get("prior_move_probability", state.get("prior_probability"))
        self.latent_step_size = state["latent_step_size"]
        self.proposals_per_flow_call = state["proposals_per_flow_call"]
        self.random_seed = state["random_seed"]
        self.statistics = dict(state["statistics"])
        self._counts_before = {}
