# SPDX-License-Identifier: MIT
"""Physical constants in the units the package computes in, taken from OpenMM's unit system."""
from openmm import unit

#: Boltzmann's constant per mole (the molar gas constant), kJ/(mol K).
BOLTZMANN_KJ_PER_MOL_K = unit.MOLAR_GAS_CONSTANT_R.value_in_unit(unit.kilojoule_per_mole / unit.kelvin)
