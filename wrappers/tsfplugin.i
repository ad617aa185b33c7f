// SPDX-License-Identifier: MIT
/* The SWIG module openmmtsf.tsfplugin: the plugin's C++ API for Python. */
%module(package="openmmtsf") tsfplugin

%import "openmm_types.i"

%include "typemaps.i"
%include "std_string.i"
%include "std_vector.i"
%include "std_pair.i"
%include "std_map.i"

%{
#include "openmmtsf/InternalCoordinates.h"
#include "openmmtsf/InternalCoordinateTransform.h"
#include "openmmtsf/TSFForce.h"
#include "openmmtsf/TSFIntegrator.h"
#include "openmmtsf/TSFRegistration.h"
#include "openmm/OpenMMException.h"
#include "openmm/serialization/XmlSerializer.h"
#include <algorithm>
#include <memory>
#include <sstream>

/** openmm.OpenMMException, so that Python users catch the same class as for OpenMM's own errors. */
static PyObject* openmmExceptionClass() {
    static PyObject* cls = NULL;
    if (cls == NULL) {
        PyObject* module = PyImport_ImportModule("openmm");
        if (module != NULL) {
            cls = PyObject_GetAttrString(module, "OpenMMException");
            Py_DECREF(module);
        }
        if (cls == NULL) {
            PyErr_Clear();
            cls = PyExc_Exception;
        }
    }
    return cls;
}
%}

%include "numpy_typemaps.i"

%exception {
    try {
        $action
    } catch (const std::exception& e) {
        PyErr_SetString(openmmExceptionClass(), e.what());
        SWIG_fail;
    }
}

%template(IntVector) std::vector<int>;
%template(IntPair) std::pair<int, int>;
%template(IntPairVector) std::vector<std::pair<int, int> >;
%template(StringMap) std::map<std::string, std::string>;

%apply int& OUTPUT { int& particle, int& bondPartner, int& anglePartner, int& torsionPartner };
%apply std::vector<double>& DOUBLE_OUTPUT { std::vector<double>& coordinates, std::vector<double>& logDetJacobian,
        std::vector<double>& positions, std::vector<double>& coordinatesGradient };
%apply std::vector<int>& INT_OUTPUT { std::vector<int>& outOfRange };

/* The flat C++ methods stay reachable as _forward etc.; the Python methods below give them shapes. */
%rename(_forward) TSFPlugin::InternalCoordinateTransform::forward;
%rename(_inverse) TSFPlugin::InternalCoordinateTransform::inverse;
%rename(_inverseVjp) TSFPlugin::InternalCoordinateTransform::inverseVjp;
%rename(_extractFrames) TSFPlugin::InternalCoordinateTransform::extractFrames;

/* The transform keeps its own copy of the definition, so the Python object may go away. */
%include "openmmtsf/InternalCoordinates.h"
%include "openmmtsf/InternalCoordinateTransform.h"

%include "tsf_classes.i"

%extend TSFPlugin::InternalCoordinateTransform {
%pythoncode %{
    def forward(self, positions):
        """Cartesian -> internal coordinates.

        positions: [B, M, 3] or [M, 3] in nm (an array, or a Quantity with length units).
        Returns (coordinates [B, n], log|det J| [B]), or unbatched shapes for unbatched input.
        """
        x, batched = _as_batch(positions, (self.getNumParticles(), 3), "positions")
        coordinates, logdet = self._forward(x)
        return _unbatch(coordinates.reshape(len(x), -1), batched), _unbatch(logdet, batched)

    def inverse(self, coordinates, frames):
        """Internal coordinates -> Cartesian, in the given frames (see extract_frames()).

        coordinates: [B, n] or [n]; frames: [B, 3, 3] or [3, 3] in nm.
        Returns (positions [B, M, 3] in nm, log|det J| [B], out_of_range [B] as bool).
        """
        q, batched = _as_batch(coordinates, (self.getNumInternalCoordinates(),), "coordinates")
        f = _frames(frames, len(q))
        positions, logdet, out_of_range = self._inverse(q, f)
        positions = positions.reshape(len(q), self.getNumParticles(), 3)
        return _unbatch(positions, batched), _unbatch(logdet, batched), _unbatch(out_of_range.astype(bool), batched)

    def inverse_vjp(self, coordinates, frames, positions_gradient, logdet_gradient):
        """Vector-Jacobian product of inverse() with respect to the coordinates.

        positions_gradient: [B, M, 3]; logdet_gradient: [B]. Returns the gradient [B, n].
        """
        q, batched = _as_batch(coordinates, (self.getNumInternalCoordinates(),), "coordinates")
        g, _ = _as_batch(positions_gradient, (self.getNumParticles(), 3), "positions_gradient")
        gl = _numpy.asarray(logdet_gradient, dtype=float).reshape(-1)
        if len(g) != len(q) or len(gl) != len(q):
            raise WrongShapeError(f"Wrong shape: batch sizes differ: coordinates {len(q)}, positions_gradient {len(g)}, "
                             f"logdet_gradient {len(gl)}")
        gradient = self._inverseVjp(q, _frames(frames, len(q)), g, gl)
        return _unbatch(gradient.reshape(len(q), -1), batched)

    def extract_frames(self, positions):
        """The frames [B, 3, 3] (nm): the positions of the particles in Z-matrix rows 0, 1 and 2."""
        x, batched = _as_batch(positions, (self.getNumParticles(), 3), "positions")
        return _unbatch(_numpy.asarray(self._extractFrames(x)).reshape(len(x), 3, 3), batched)
%}
}

%pythoncode %{
import numpy as _numpy
import openmm as _openmm


class WrongShapeError(_openmm.OpenMMException, ValueError):
    """An array handed to the plugin has the wrong shape."""


def _as_batch(array, shape, name):
    """A float64 array of shape [B, *shape] from [B, *shape] or [*shape]; nm for Quantities."""
    if hasattr(array, "value_in_unit"):
        import openmm.unit
        array = array.value_in_unit(openmm.unit.nanometer)
    a = _numpy.asarray(array, dtype=float)
    if a.shape == tuple(shape):
        return a[None], False
    if a.ndim == len(shape) + 1 and a.shape[1:] == tuple(shape) and len(a) > 0:
        return a, True
    raise WrongShapeError(f"Wrong shape: {name} has shape {a.shape}; expected [B, {', '.join(map(str, shape))}] "
                     f"or [{', '.join(map(str, shape))}]")


def _frames(frames, batch):
    f = _numpy.asarray(frames, dtype=float)
    if f.shape not in ((3, 3), (batch, 3, 3)):
        raise WrongShapeError(f"Wrong shape: frames have shape {f.shape}; expected [3, 3] or [{batch}, 3, 3]")
    return f


def _unbatch(array, batched):
    return array if batched else array[0]
%}

%newobject deserializeInternalCoordinates;
%inline %{
/** The XML form of a Z-matrix (see InternalCoordinatesProxy). */
std::string serializeInternalCoordinates(const TSFPlugin::InternalCoordinates& definition) {
    std::stringstream buffer;
    OpenMM::XmlSerializer::serialize<TSFPlugin::InternalCoordinates>(&definition, "InternalCoordinates", buffer);
    return buffer.str();
}

/** A Z-matrix from its XML form. */
TSFPlugin::InternalCoordinates* deserializeInternalCoordinates(const std::string& xml) {
    std::stringstream buffer(xml);
    return OpenMM::XmlSerializer::deserialize<TSFPlugin::InternalCoordinates>(buffer);
}

/** Register the TSF kernels with every ReferencePlatform (Reference and CPU). */
void registerReferenceKernels() {
    TSFPlugin::registerTSFReferenceKernelFactories();
}
%}
