# SPDX-License-Identifier: MIT
"""The bonded four-atom chain of the C++ exactness tests (tests/cpp/TestSystems.h), for Python tests: a System
with only bonded terms whose internal-coordinate marginals are known exactly, its Z-matrix, a flow, and the
exact expectations the samples are checked against."""
import io
import math
from typing import Callable, Dict, Tuple

import numpy as np
import openmm
import torch
from scipy import integrate

import openmmtsf
from flows import AffineFlow
from openmmtsf.units import BOLTZMANN_KJ_PER_MOL_K

BOND_NM, BOND_K = 0.15, 30000.0  # nm, kJ/mol/nm^2
ANGLE_RAD, ANGLE_K = 1.9, 300.0  # rad, kJ/mol/rad^2
TORSIONS = ((3, 0.0, 4.0), (1, 0.7, 2.0))  # periodicity, phase (rad), k (kJ/mol)


def torsion_energy(phi: float) -> float:
    """V(phi) in kJ/mol."""
    return sum(k * (1.0 + math.cos(n * phi - phase)) for n, phase, k in TORSIONS)


def chain_system(model: bytes) -> openmm.System:
    """The chain with a TSFForce holding `model` (serialized TorchScript)."""
    system = openmm.System()
    for _ in range(4):
        system.addParticle(12.0)
    bonds, angles, torsions = openmm.HarmonicBondForce(), openmm.HarmonicAngleForce(), openmm.PeriodicTorsionForce()
    for i in range(3):
        bonds.addBond(i, i + 1, BOND_NM, BOND_K)
    for i in range(2):
        angles.addAngle(i, i + 1, i + 2, ANGLE_RAD, ANGLE_K)
    for n, phase, k in TORSIONS:
        torsions.addTorsion(0, 1, 2, 3, n, phase, k)
    for force in (bonds, angles, torsions):
        system.addForce(force)
    system.addForce(openmmtsf.TSFForce(model, chain_z_matrix()))
    return system


def chain_z_matrix() -> openmmtsf.InternalCoordinates:
    """0; 1-0; 2-1-0; 3-2-1-0: three bonds, two angles, one torsion."""
    definition = openmmtsf.InternalCoordinates()
    definition.addAtom(0)
    definition.addAtom(1, 0)
    definition.addAtom(2, 1, 0)
    definition.addAtom(3, 2, 1, 0)
    return definition


def chain_positions() -> np.ndarray:
    """[4, 3] nm: the bonds' and angles' minima."""
    b, c, s = BOND_NM, math.cos(math.pi - ANGLE_RAD), math.sin(math.pi - ANGLE_RAD)
    return np.array([[0, 0, 0], [b, 0, 0], [b + b * c, b * s, 0], [2 * b + b * c, b * s, 0.05]])


def chain_flow_bytes() -> bytes:
    """A constant-Jacobian flow roughly matched to the chain at 300 K (as the C++ tests' chainFlow)."""
    flow = AffineFlow([BOND_NM] * 3 + [ANGLE_RAD] * 2 + [0.0], [0.009] * 3 + [0.09] * 2 + [1.5], 300.0)
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(flow), buffer)
    return buffer.getvalue()


def chain_observables(positions: np.ndarray) -> Dict[str, np.ndarray]:
    """Per-configuration observables of positions [B, 4, 3] nm: the mean bond and angle, their mean squared
    deviations from the minimum, and cos phi, sin phi, cos 3 phi."""
    transform = openmmtsf.InternalCoordinateTransform(chain_z_matrix(), openmm.Platform.getPlatformByName("Reference"))
    ics, _ = transform.forward(positions)
    bonds, angles, phi = ics[:, :3], ics[:, 3:5], ics[:, 5]
    return {"<b>": bonds.mean(axis=1), "<(b-b0)^2>": ((bonds - BOND_NM) ** 2).mean(axis=1),
            "<theta>": angles.mean(axis=1), "<(theta-theta0)^2>": ((angles - ANGLE_RAD) ** 2).mean(axis=1),
            "<cos phi>": np.cos(phi), "<sin phi>": np.sin(phi), "<cos 3phi>": np.cos(3 * phi)}


def exact_expectations(temperature: float) -> Dict[str, float]:
    """The exact values of chain_observables() at a temperature (K): bonds b^2 exp(-beta V), angles
    sin(theta) exp(-beta V), the torsion exp(-beta V(phi))."""
    beta = 1.0 / (BOLTZMANN_KJ_PER_MOL_K * temperature)

    def mean(weight: Callable[[float], float], f: Callable[[float], float], bounds: Tuple[float, float]) -> float:
        norm = integrate.quad(weight, *bounds, limit=200)[0]
        return integrate.quad(lambda x: weight(x) * f(x), *bounds, limit=200)[0] / norm

    bond = (BOND_NM - 12 / math.sqrt(beta * BOND_K), BOND_NM + 12 / math.sqrt(beta * BOND_K))
    angle = (ANGLE_RAD - 12 / math.sqrt(beta * ANGLE_K), ANGLE_RAD + 12 / math.sqrt(beta * ANGLE_K))
    bond_weight = lambda b: b * b * math.exp(-beta * 0.5 * BOND_K * (b - BOND_NM) ** 2)  # noqa: E731
    angle_weight = lambda a: math.sin(a) * math.exp(-beta * 0.5 * ANGLE_K * (a - ANGLE_RAD) ** 2)  # noqa: E731
    torsion_weight = lambda p: math.exp(-beta * torsion_energy(p))  # noqa: E731
    return {"<b>": mean(bond_weight, lambda b: b, bond),
            "<(b-b0)^2>": mean(bond_weight, lambda b: (b - BOND_NM) ** 2, bond),
            "<theta>": mean(angle_weight, lambda a: a, angle),
            "<(theta-theta0)^2>": mean(angle_weight, lambda a: (a - ANGLE_RAD) ** 2, angle),
            "<cos phi>": mean(torsion_weight, math.cos, (-math.pi, math.pi)),
            "<sin phi>": mean(torsion_weight, math.sin, (-math.pi, math.pi)),
            "<cos 3phi>": mean(torsion_weight, lambda p: math.cos(3 * p), (-math.pi, math.pi))}
