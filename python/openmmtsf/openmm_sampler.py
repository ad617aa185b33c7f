# SPDX-License-Identifier: MIT
"""TSFReplicaExchangeSampler: the plugin's exact flow moves inside OpenMM's own replica exchange,
``openmm.app.ReplicaExchangeSampler``.

OpenMM's sampler keeps one conformation per replica, moves each replica in its thermodynamic state through
``simulateReplica()``, and exchanges states between replicas; ``ReplicaExchangeReporter`` writes its log,
energies, trajectories and checkpoints and resumes from them. The subclass here changes only how a replica is
moved: by flow Monte Carlo steps of a one-temperature ``TSFIntegrator`` at the replica's temperature (accepted
exactly by the plugin's C++), optionally followed by MD steps of a thermostatted integrator at the same
temperature. Everything else (the states, the exchanges, the reporters, resuming) is OpenMM's own.

    simulation = app.Simulation(topology, system, TSFIntegrator(300))       # the System holds a TSFForce
    simulation.context.setPositions(positions)
    states = [{'temperature': t*kelvin} for t in (300, 360, 430, 510, 600)]
    sampler = TSFReplicaExchangeSampler(states, simulation, stepsPerIteration=10)
    sampler.reporters.append(app.ReplicaExchangeReporter('output', 1, sampler, energy=True, checkpoints=True))
    sampler.simulate(1000)
"""
import numpy as np
import openmm
from openmm import app, unit

from .tsfplugin import TSFForce, TSFIntegrator

__all__ = ["TSFReplicaExchangeSampler"]

_MOVE_TYPES = (TSFIntegrator.RandomWalkMove, TSFIntegrator.PriorMove)


def _as_tsf_integrator(integrator: openmm.Integrator) -> TSFIntegrator | None:
    """The TSFIntegrator behind an Integrator (which SWIG may hand out as a plain Integrator), or None."""
    if isinstance(integrator, TSFIntegrator):
        return integrator
    try:
        return TSFIntegrator.cast(integrator)
    except (openmm.OpenMMException, TypeError):
        return None


def _kelvin(temperature) -> float:
    """A temperature in kelvin from a Quantity or a number (kelvin)."""
    if unit.is_quantity(temperature):
        return float(temperature.value_in_unit(unit.kelvin))
    return float(temperature)


class TSFReplicaExchangeSampler(app.ReplicaExchangeSampler):
    """
    A ReplicaExchangeSampler whose replicas move by exact flow Monte Carlo: in each iteration, each replica takes
    stepsPerIteration steps of a TSFIntegrator (prior moves from the flow and latent random-walk moves, each
    accepted or rejected by the exact Metropolis-Hastings rule of docs/tsf-integrator.md) at its state's
    temperature, then, if mdStepsPerIteration is above 0, that many MD steps at the same temperature. The
    sampler then exchanges states between replicas as ReplicaExchangeSampler does.

    Create the Simulation in the usual way, with a System that holds one TSFForce and either

    - a TSFIntegrator with one temperature (flow moves only), or
    - a CompoundIntegrator holding one such TSFIntegrator and one thermostatted integrator (for example a
      LangevinMiddleIntegrator) for MD between the flow moves.

    The integrators' own temperatures do not matter: before a replica moves, both are set to its state's
    temperature. Every state must give a 'temperature' (a Quantity, or a number in kelvin); states may also set
    Context parameters and CustomIntegrator variables as for ReplicaExchangeSampler, and several states may share
    a temperature. The 'groups' property is not supported, because flow moves sample the full potential energy.

    Flow moves draw the Context's velocities from the Maxwell-Boltzmann distribution at the replica's
    temperature, so MD after them starts from thermal velocities (for LangevinMiddleIntegrator, shifted half a
    step back, since it keeps velocities half a step behind the positions), and velocities are never rescaled. The
    TSFIntegrator's latent step size and prior-move probability are shared by every state. Its proposals per
    flow call are capped at stepsPerIteration: its bank of prior proposals is drawn again whenever the
    temperature changes, which is once per replica. Step-size adaptation (TSFIntegrator.setAdaptationSteps())
    counts the steps of all replicas together and starts again in a resumed run; only steps after it has ended
    are exact samples.

    ReplicaExchangeReporter writes the output and resumes runs. Its checkpoints hold each replica's
    conformation but not the random state of the TSFIntegrator or the Python random generator that picks the
    exchanges (random.seed()): for a reproducible run, seed both (TSFIntegrator.setRandomNumberSeed()), and give
    a resumed run a seed of its own so that it does not repeat the first run's random numbers.

    Attributes
    ----------
    mdStepsPerIteration: int
        The number of MD steps each replica takes after its flow moves in each iteration
    flowMovesAttempted: numpy.ndarray
        flowMovesAttempted[s][m] is the number of flow moves of type m (TSFIntegrator.RandomWalkMove or
        TSFIntegrator.PriorMove) attempted in state s since this sampler was created (counts are not part of the
        reporter's checkpoints)
    flowMovesAccepted: numpy.ndarray
        The number of those moves that were accepted, in the same layout
    """

    def __init__(self, states: list[dict], simulation: app.Simulation, stepsPerIteration: int,
                 mdStepsPerIteration: int = 0):
        """
        Create a TSFReplicaExchangeSampler to sample a set of states.

        Parameters
        ----------
        states: list[dict]
            The states to sample.  Each must include 'temperature'.
        simulation: openmm.app.Simulation
            The Simulation defining the System (with a TSFForce), the Context, and the integrator: a TSFIntegrator
            with one temperature, or a CompoundIntegrator holding one and an integrator for MD
        stepsPerIteration: int
            The number of flow Monte Carlo steps (TSFIntegrator steps) for each replica on each iteration
        mdStepsPerIteration: int
            The number of MD steps for each replica on each iteration, after its flow moves.  Values above 0
            require a CompoundIntegrator with an integrator for MD.
        """
        if len(states) == 0:
            raise ValueError('TSFReplicaExchangeSampler needs at least one state')
        temperatures = []
        for i, state in enumerate(states):
            if 'temperature' not in state:
                raise ValueError(f"TSFReplicaExchangeSampler: state {i} has no 'temperature'.  Flow moves run at a "
                                 f"state's temperature: give every state one, for example "
                                 f"{{'temperature': 300*unit.kelvin}}.")
            temperature = _kelvin(state['temperature'])
            if not (np.isfinite(temperature) and temperature > 0.0):
                raise ValueError(f'TSFReplicaExchangeSampler: state {i} has temperature {temperature} K; '
                                 f'temperatures must be positive')
            if 'groups' in state:
                raise ValueError("TSFReplicaExchangeSampler does not support the 'groups' property: flow moves "
                                 "sample the potential energy of the integrator's force groups, not a state's sum")
            temperatures.append(temperature)
        if stepsPerIteration < 0 or mdStepsPerIteration < 0:
            raise ValueError('TSFReplicaExchangeSampler: stepsPerIteration and mdStepsPerIteration must not be '
                             'negative')
        if stepsPerIteration == 0 and mdStepsPerIteration == 0:
            raise ValueError('TSFReplicaExchangeSampler: stepsPerIteration and mdStepsPerIteration are both 0, so '
                             'replicas would never move')
        self._tsf, self._tsfIndex, self._md, self._mdIndex = self._findIntegrators(simulation)
        if mdStepsPerIteration > 0 and self._md is None:
            raise ValueError('TSFReplicaExchangeSampler: mdStepsPerIteration > 0 needs an integrator for MD: '
                             'give the Simulation a CompoundIntegrator holding the TSFIntegrator and, for example, '
                             'a LangevinMiddleIntegrator')
        super().__init__(states, simulation, stepsPerIteration)
        self.mdStepsPerIteration = mdStepsPerIteration
        self._temperatures = temperatures
        if 0 < stepsPerIteration < self._tsf.getProposalsPerFlowCall():
            self._tsf.setProposalsPerFlowCall(stepsPerIteration)
        masses = np.array([simulation.system.getParticleMass(i).value_in_unit(unit.dalton)
                           for i in range(simulation.system.getNumParticles())])
        self._inverseMasses = np.divide(1.0, masses, out=np.zeros_like(masses), where=masses > 0.0)
        self.flowMovesAttempted = np.zeros((len(states), len(_MOVE_TYPES)), dtype=np.int64)
        self.flowMovesAccepted = np.zeros((len(states), len(_MOVE_TYPES)), dtype=np.int64)

    @staticmethod
    def _findIntegrators(simulation: app.Simulation) -> tuple:
        """(TSFIntegrator, its index in the CompoundIntegrator or None, MD integrator or None, its index or None),
        with clear errors for a Simulation this sampler cannot drive."""
        system = simulation.system
        if not any(TSFForce.isinstance(force) for force in system.getForces()):
            raise ValueError('TSFReplicaExchangeSampler: the System has no TSFForce.  Add one holding the flow '
                             '(system.addForce(openmmtsf.TSFForce(model, zmatrix))) before creating the Simulation.')
        integrator = simulation.integrator
        tsf = _as_tsf_integrator(integrator)
        tsfIndex = md = mdIndex = None
        if tsf is None and isinstance(integrator, openmm.CompoundIntegrator):
            others = []
            for i in range(integrator.getNumIntegrators()):
                component = _as_tsf_integrator(integrator.getIntegrator(i))
                if component is not None:
                    if tsf is not None:
                        raise ValueError('TSFReplicaExchangeSampler: the CompoundIntegrator holds more than one '
                                         'TSFIntegrator')
                    tsf, tsfIndex = component, i
                else:
                    others.append(i)
            if tsf is not None:
                if len(others) > 1:
                    raise ValueError('TSFReplicaExchangeSampler: the CompoundIntegrator may hold one integrator '
                                     f'besides the TSFIntegrator (for MD), not {len(others)}')
                if others:
                    mdIndex = others[0]
                    md = integrator.getIntegrator(mdIndex)
                    if not hasattr(md, 'setTemperature'):
                        raise ValueError(f'TSFReplicaExchangeSampler: the MD integrator ({type(md).__name__}) has no '
                                         f'temperature: use a thermostatted one, for example LangevinMiddleIntegrator')
        if tsf is None:
            raise ValueError(f"TSFReplicaExchangeSampler: the Simulation's integrator ({type(integrator).__name__}) "
                             f"is not a TSFIntegrator, nor a CompoundIntegrator holding one")
        if tsf.getNumReplicas() != 1:
            raise ValueError(f'TSFReplicaExchangeSampler: the TSFIntegrator has {tsf.getNumReplicas()} temperatures; '
                             f'give it one (TSFIntegrator(300)): the sampler\'s states are the temperature ladder')
        return tsf, tsfIndex, md, mdIndex

    def simulateReplica(self, index: int, steps: int | None = None, mdSteps: int | None = None):
        """
        Move a single replica: flow Monte Carlo steps, then MD steps, at the temperature of its current state.
        Most often this is called by simulate(), but you also can call it directly, for example to equilibrate
        each replica before beginning sampling.

        Parameters
        ----------
        index: int
            the index of the replica to simulate
        steps: int | None
            the number of flow Monte Carlo steps.  If None (the default), stepsPerIteration steps are taken.
        mdSteps: int | None
            the number of MD steps after them.  If None (the default), mdStepsPerIteration steps are taken.
        """
        if steps is None:
            steps = self.stepsPerIteration
        if mdSteps is None:
            mdSteps = self.mdStepsPerIteration
        if mdSteps > 0 and self._md is None:
            raise ValueError('TSFReplicaExchangeSampler: MD steps need a CompoundIntegrator with an integrator for MD')
        stateIndex = self.replicaStateIndex[index]
        temperature = self._temperatures[stateIndex]
        context = self.simulation.context
        conformation = self.replicaConformation[index]
        held = context.getState(positions=True).getPositions(asNumpy=True) if steps > 0 else None
        context.setState(conformation)
        self._sampler.applyState(stateIndex)  # Context parameters, CustomIntegrator variables, thermostat forces
        self._tsf.setTemperature(temperature)
        if steps > 0:
            positions = conformation.getPositions(asNumpy=True)
            if np.array_equal(held, positions):
                # The TSFIntegrator keeps the latent point (and auxiliary momenta) of the configuration it holds when
                # the Context is set to the same positions; those may come from another replica at another
                # temperature.  Setting the positions through it makes it compute them afresh at this temperature.
                self._tsf.setPositions(0, positions)
            counts = self._flowMoveCounts()
            if self._tsfIndex is not None:
                self.simulation.integrator.setCurrentIntegrator(self._tsfIndex)
            self.simulation.integrator.step(steps)
            attempted, accepted = self._flowMoveCounts() - counts
            self.flowMovesAttempted[stateIndex] += attempted
            self.flowMovesAccepted[stateIndex] += accepted
        if mdSteps > 0:
            self._md.setTemperature(temperature*unit.kelvin)
            if steps == 0:
                context.setVelocitiesToTemperature(temperature*unit.kelvin)
            if isinstance(self._md, openmm.LangevinMiddleIntegrator):
                self._velocitiesToHalfStepBefore()
            self.simulation.integrator.setCurrentIntegrator(self._mdIndex)
            self.simulation.integrator.step(mdSteps)
        self._previousReplicaStateIndex[index] = stateIndex
        self.replicaConformation[index] = context.getState(positions=True, velocities=True, parameters=True,
                                                           integratorParameters=True)

    def _velocitiesToHalfStepBefore(self):
        """Turn the thermal velocities v(t) just drawn into v(t - dt/2) = v(t) - (dt/2) F(x)/m, the velocities
        LangevinMiddleIntegrator (and LangevinIntegrator, its subclass) keeps half a step behind the positions, as
        TSFForce's flow jumps do (docs/tsf-integrator.md).  Without it each iteration's fresh velocities would bias
        the stiff modes by about (omega dt)^2: +13% in the bond variance of the test chain at 6 fs."""
        context = self.simulation.context
        state = context.getState(velocities=True, forces=True, groups=self._md.getIntegrationForceGroups())
        halfStep = 0.5*self._md.getStepSize().value_in_unit(unit.picosecond)
        velocities = state.getVelocities(asNumpy=True).value_in_unit(unit.nanometer/unit.picosecond)
        forces = state.getForces(asNumpy=True).value_in_unit(unit.kilojoule_per_mole/unit.nanometer)
        context.setVelocities(velocities - forces*(halfStep*self._inverseMasses)[:, np.newaxis])
        context.applyVelocityConstraints(1e-6)

    def _flowMoveCounts(self) -> np.ndarray:
        """[attempted, accepted][move type]: the TSFIntegrator's running counts."""
        return np.array([[self._tsf.getNumMovesAttempted(0, m) for m in _MOVE_TYPES],
                         [self._tsf.getNumMovesAccepted(0, m) for m in _MOVE_TYPES]], dtype=np.int64)
