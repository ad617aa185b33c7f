// SPDX-License-Identifier: MIT
/* TSFForce and TSFIntegrator for Python: models as paths, bytes or ScriptModules; units; replica access. */

/* A TSFForce model is a path (str) or the bytes of a saved TorchScript module. */
%typemap(typecheck, precedence=SWIG_TYPECHECK_STRING) const std::string& model {
    $1 = PyBytes_Check($input) || PyUnicode_Check($input);
}
%typemap(in) const std::string& model (std::string buffer) {
    if (PyBytes_Check($input)) {
        char* data;
        Py_ssize_t size;
        PyBytes_AsStringAndSize($input, &data, &size);
        buffer.assign(data, size);
    }
    else if (PyUnicode_Check($input)) {
        Py_ssize_t size;
        const char* data = PyUnicode_AsUTF8AndSize($input, &size);
        if (data == NULL)
            SWIG_fail;
        buffer.assign(data, size);
    }
    else {
        PyErr_SetString(PyExc_TypeError, "a TSFForce model must be a path, bytes or a torch.jit.ScriptModule");
        SWIG_fail;
    }
    $1 = &buffer;
}
%typemap(freearg) const std::string& model ""
%typemap(out) const std::string& getModelBytes {
    $result = PyBytes_FromStringAndSize($1->data(), $1->size());
}

%feature("pythonprepend") TSFPlugin::TSFForce::TSFForce %{
    if len(args) == 2:
        model, source = _model_argument(args[0])
        from .fingerprint import check_model_zmatrix
        check_model_zmatrix(model, args[1])
        args = (model, args[1], source)
%}
%feature("pythonprepend") TSFPlugin::TSFIntegrator::TSFIntegrator %{
    args = (_kelvin(args[0]),) + tuple(args[1:])
%}
%feature("pythonprepend") TSFPlugin::TSFIntegrator::setTemperature %{
    temperature = _kelvin(temperature)
%}
%feature("pythonprepend") TSFPlugin::TSFIntegrator::setTemperatures %{
    temperatures = _kelvin(temperatures)
%}
/* Temperatures come back as Quantities in kelvin, as from OpenMM's thermostated integrators. */
%feature("pythonappend") TSFPlugin::TSFIntegrator::getTemperature %{
    val = _openmm.unit.Quantity(val, _openmm.unit.kelvin)
%}
%feature("pythonappend") TSFPlugin::TSFIntegrator::getTemperatures %{
    val = _openmm.unit.Quantity(list(val), _openmm.unit.kelvin)
%}
%feature("pythonprepend") TSFPlugin::TSFIntegrator::geometricTemperatures %{
    minimum, maximum = _kelvin(minimum), _kelvin(maximum)
%}

%rename(_getState) TSFPlugin::TSFIntegrator::getState;
%ignore TSFPlugin::TSFIntegrator::setPositions;

%include "openmmtsf/TSFForce.h"
%include "openmmtsf/TSFIntegrator.h"

%extend TSFPlugin::TSFForce {
    /** The TSFForce behind a Force, for example one taken from a deserialized System. */
    static TSFPlugin::TSFForce& cast(OpenMM::Force& force) {
        auto* result = dynamic_cast<TSFPlugin::TSFForce*>(&force);
        if (result == nullptr)
            throw OpenMM::OpenMMException("This Force is not a TSFForce");
        return *result;
    }
    /** Whether a Force is a TSFForce. */
    static bool isinstance(OpenMM::Force& force) {
        return dynamic_cast<TSFPlugin::TSFForce*>(&force) != nullptr;
    }
}

%newobject TSFPlugin::TSFIntegrator::_fromXml;

%extend TSFPlugin::TSFIntegrator {
    /** A new TSFIntegrator from its XML serialization (for copy.deepcopy and pickle). */
    static TSFPlugin::TSFIntegrator* _fromXml(const std::string& xml) {
        std::istringstream stream(xml);
        std::unique_ptr<OpenMM::Integrator> integrator(OpenMM::XmlSerializer::deserialize<OpenMM::Integrator>(stream));
        auto* result = dynamic_cast<TSFPlugin::TSFIntegrator*>(integrator.get());
        if (result == nullptr)
            throw OpenMM::OpenMMException("This XML does not hold a TSFIntegrator");
        integrator.release();
        return result;
    }
    /** The TSFIntegrator behind an Integrator, for example a deserialized one. */
    static TSFPlugin::TSFIntegrator& cast(OpenMM::Integrator& integrator) {
        auto* result = dynamic_cast<TSFPlugin::TSFIntegrator*>(&integrator);
        if (result == nullptr)
            throw OpenMM::OpenMMException("This Integrator is not a TSFIntegrator");
        return *result;
    }
    /** Set a replica's positions from a flat [N * 3] array in nm. */
    void _setPositionsFlat(int replica, const std::vector<double>& xyz) {
        if (xyz.size() % 3 != 0)
            throw OpenMM::OpenMMException("TSFIntegrator.setPositions: positions must have shape [N, 3]");
        std::vector<OpenMM::Vec3> positions(xyz.size() / 3);
        for (size_t i = 0; i < positions.size(); i++)
            positions[i] = OpenMM::Vec3(xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]);
        self->setPositions(replica, positions);
    }
%pythoncode %{
    def __getstate__(self):
        return _openmm.XmlSerializer.serialize(self)

    def __setstate__(self, xml):
        self.this = TSFIntegrator._fromXml(xml).this

    def __copy__(self):
        """A new TSFIntegrator with the same settings (through XML, as OpenMM copies its integrators); it is bound
        to no Context."""
        import copy
        duplicate = TSFIntegrator._fromXml(_openmm.XmlSerializer.serialize(self))
        duplicate.__dict__.update(copy.deepcopy({k: v for k, v in self.__dict__.items() if k != "this"}))
        return duplicate

    def __deepcopy__(self, memo):
        return self.__copy__()

    def getState(self, replica, getPositions=False, getVelocities=False, getForces=False, getEnergy=False,
                 getParameters=False, getParameterDerivatives=False, getIntegratorParameters=False,
                 enforcePeriodicBox=False, groups=-1):
        """A State of one replica (the configuration at temperatures[replica]), as Context.getState() gives
        for replica 0. `groups` is a bit mask or a set of force-group indices."""
        import openmm
        types = 0
        for flag, value in ((getPositions, openmm.State.Positions), (getVelocities, openmm.State.Velocities),
                            (getForces, openmm.State.Forces), (getEnergy, openmm.State.Energy),
                            (getParameters, openmm.State.Parameters),
                            (getParameterDerivatives, openmm.State.ParameterDerivatives),
                            (getIntegratorParameters, openmm.State.IntegratorParameters)):
            if flag:
                types |= value
        if isinstance(groups, (set, frozenset, list, tuple)):
            groups = sum(1 << g for g in groups)
        groups = int(groups) & 0xFFFFFFFF
        if groups >= 1 << 31:
            groups -= 1 << 32  # the C++ argument is a signed int
        return self._getState(replica, types, enforcePeriodicBox, groups)

    def setPositions(self, replica, positions):
        """Set the positions of one replica: [N, 3] in nm, or a Quantity with length units."""
        import openmm.unit
        if hasattr(positions, "value_in_unit"):
            positions = positions.value_in_unit(openmm.unit.nanometer)
        array = _numpy.asarray([tuple(p) for p in positions], dtype=float)
        if array.ndim != 2 or array.shape[1] != 3:
            raise WrongShapeError(f"Wrong shape: positions have shape {array.shape}; expected [N, 3]")
        self._setPositionsFlat(replica, array.reshape(-1))

    def getStatistics(self):
        """Every count, as NumPy arrays: moves attempted and accepted per replica and move type, out-of-range and
        non-finite rejections per replica, exchange attempts and acceptances per replica pair, and round trips
        per walker."""
        n = self.getNumReplicas()
        moves = (TSFIntegrator.RandomWalkMove, TSFIntegrator.PriorMove)
        return {
            "attempted": _numpy.array([[self.getNumMovesAttempted(r, m) for m in moves] for r in range(n)]),
            "accepted": _numpy.array([[self.getNumMovesAccepted(r, m) for m in moves] for r in range(n)]),
            "out_of_range": _numpy.array([self.getNumOutOfRange(r) for r in range(n)]),
            "non_finite": _numpy.array([self.getNumNonFinite(r) for r in range(n)]),
            "exchanges_attempted": _numpy.array([[self.getNumExchangesAttempted(i, j) for j in range(n)] for i in range(n)]),
            "exchanges_accepted": _numpy.array([[self.getNumExchangesAccepted(i, j) for j in range(n)] for i in range(n)]),
            "round_trips": _numpy.array([self.getNumRoundTrips(w) for w in range(n)]),
            "walkers": _numpy.array(self.getWalkers()),
        }
%}
}

%pythoncode %{
def _model_argument(model):
    """(model, TSFForce.ModelSource) from a path, bytes or a torch.jit.ScriptModule."""
    import io
    import os
    if isinstance(model, (bytes, bytearray)):
        return bytes(model), TSFForce.ModelBytes
    if isinstance(model, (str, os.PathLike)):
        return os.fspath(model), TSFForce.ModelFile
    import torch
    if isinstance(model, torch.jit.ScriptModule):
        buffer = io.BytesIO()
        torch.jit.save(model, buffer)
        return buffer.getvalue(), TSFForce.ModelBytes
    raise TypeError(f"a TSFForce model must be a path, bytes or a torch.jit.ScriptModule, not {type(model).__name__}")


def _kelvin(value):
    """Temperatures in kelvin from numbers, sequences or Quantities."""
    import openmm.unit
    if hasattr(value, "value_in_unit"):
        value = value.value_in_unit(openmm.unit.kelvin)
    if isinstance(value, (list, tuple, _numpy.ndarray)):
        return [float(v.value_in_unit(openmm.unit.kelvin)) if hasattr(v, "value_in_unit") else float(v) for v in value]
    return value
%}
