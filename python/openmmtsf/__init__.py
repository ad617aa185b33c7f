# SPDX-License-Identifier: MIT
"""openmm-tsf: temperature-steerable flows inside OpenMM.

Importing this package loads OpenMM's plugins, registers the TSF kernels with every ReferencePlatform
(Reference and CPU), and loads the plugin's GPU kernel libraries (OpenCL, CUDA) that were built, as OpenMM
plugins, for each platform that OpenMM itself could load.
"""
from pathlib import Path as _Path
import warnings as _warnings

import torch as _torch  # loads libtorch and its CUDA runtime before the plugin's libraries need them
import openmm as _openmm  # loads OpenMM's platform plugins

from . import _build_info


def _check_versions() -> None:
    """Refuse a torch or openmm other than the one the plugin was compiled against (their C++ ABIs differ)."""
    installed = {"torch": _torch.__version__, "openmm": _openmm.__version__}
    built = {"torch": _build_info.TORCH_VERSION, "openmm": _build_info.OPENMM_VERSION}
    for name in ("torch", "openmm"):
        if installed[name].split("+")[0] != built[name].split("+")[0]:
            raise ImportError(f"openmmtsf was built against {name} {built[name]}, but {name} {installed[name]} is "
                              f"installed: rebuild it with `pip install --no-build-isolation .` in this environment")


_check_versions()

from .tsfplugin import (  # noqa: E402
    InternalCoordinates,
    InternalCoordinateTransform,
    TSFForce,
    TSFIntegrator,
    WrongShapeError,
    deserializeInternalCoordinates as deserialize_internal_coordinates,
    serializeInternalCoordinates as serialize_internal_coordinates,
    registerReferenceKernels as _register_reference_kernels,
)
from .topology import internal_coordinates_from_topology  # noqa: E402
from .molecule import Molecule, load_molecule  # noqa: E402
from .fingerprint import MoleculeMismatchError, create_tsf_force  # noqa: E402

_register_reference_kernels()


def _load_gpu_kernels() -> None:
    """Load the GPU kernel libraries in plugins/ as OpenMM plugins; warn for one whose platform OpenMM has."""
    directory = _Path(__file__).with_name("plugins")
    if not directory.is_dir():
        return
    _openmm.Platform.loadPluginsFromDirectory(str(directory))
    platforms = {_openmm.Platform.getPlatform(i).getName() for i in range(_openmm.Platform.getNumPlatforms())}
    for failure in _openmm.Platform.getPluginLoadFailures():
        for platform in ("OpenCL", "CUDA"):
            if f"libOpenMMTSF{platform}" in failure and platform in platforms:
                _warnings.warn(f"openmmtsf: the {platform} kernels did not load ({failure}); TSF cannot run on {platform}")


_load_gpu_kernels()

__all__ = ["InternalCoordinates", "InternalCoordinateTransform", "Molecule", "MoleculeMismatchError", "TSFForce",
           "TSFIntegrator", "WrongShapeError", "create_tsf_force", "deserialize_internal_coordinates",
           "internal_coordinates_from_topology", "load_molecule", "serialize_internal_coordinates"]
__version__ = "0.2.0"
