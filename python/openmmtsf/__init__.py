"""openmm-tsf: temperature-steerable flows inside OpenMM.

Importing this package loads OpenMM's plugins and registers the TSF kernels with every
ReferencePlatform (Reference and CPU).
"""
import openmm as _openmm  # loads OpenMM's platform plugins first

from .tsfplugin import (
    InternalCoordinates,
    InternalCoordinateTransform,
    TSFForce,
    TSFIntegrator,
    WrongShapeError,
    deserializeInternalCoordinates as deserialize_internal_coordinates,
    serializeInternalCoordinates as serialize_internal_coordinates,
    registerReferenceKernels as _register_reference_kernels,
)
from .topology import internal_coordinates_from_topology

_register_reference_kernels()

__all__ = ["InternalCoordinates", "InternalCoordinateTransform", "TSFForce", "TSFIntegrator", "WrongShapeError",
           "internal_coordinates_from_topology", "serialize_internal_coordinates", "deserialize_internal_coordinates"]
__version__ = "0.1.0"
