// SPDX-License-Identifier: MIT
/*
 * Declarations of the OpenMM classes that the plugin's API uses, so that SWIG shares their types with
 * OpenMM's own Python module (openmm._openmm) instead of wrapping them again. %import-ed only.
 */
%module(package="openmm") openmm

namespace OpenMM {
class System {
};
class Platform {
};
class Force {
};
class Integrator {
};
class Context {
};
class State {
public:
    State(const State& other);
};
}
