"""openmm-tsf: temperature-steerable flows inside OpenMM.

Importing this package loads OpenMM's plugins and registers the TSF kernels with every
ReferencePlatform (Reference and CPU), and with OpenCL and CUDA where the plugin's libraries for them
were built.
"""
import ctypes as _ctypes
import warnings as _warnings
from pathlib import Path as _Path

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


def _register_gpu_kernels() -> None:
    """Register the common-compute kernels with OpenCL and CUDA, for each library that was built."""
    for name in ("libOpenMMTSFOpenCL.so", "libOpenMMTSFCUDA.so"):
        library = _Path(__file__).with_name(name)
        if not library.exists():
            continue
        try:
            _ctypes.CDLL(str(library), mode=_ctypes.RTLD_GLOBAL).registerKernelFactories()
        except OSError as error:  # e.g. no OpenCL driver or CUDA runtime on this machine
            _warnings.warn(f"openmmtsf: {name} not loaded ({error}); its platform has no TSF kernels")


_register_gpu_kernels()

__all__ = ["InternalCoordinates", "InternalCoordinateTransform", "TSFForce", "TSFIntegrator", "WrongShapeError",
           "internal_coordinates_from_topology", "serialize_internal_coordinates", "deserialize_internal_coordinates"]
__version__ = "0.1.0"
