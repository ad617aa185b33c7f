// SPDX-License-Identifier: MIT
#include "openmmtsf/InternalCoordinatesProxy.h"
#include "openmmtsf/InternalCoordinates.h"
#include "openmm/OpenMMException.h"
#include "openmm/serialization/SerializationNode.h"
#include <memory>

using namespace TSFPlugin;
using OpenMM::OpenMMException;
using OpenMM::SerializationNode;

namespace {
const int CURRENT_VERSION = 1;
}

InternalCoordinatesProxy::InternalCoordinatesProxy() : OpenMM::SerializationProxy("InternalCoordinates") {
}

void InternalCoordinatesProxy::serialize(const void* object, SerializationNode& node) const {
    const InternalCoordinates& definition = *reinterpret_cast<const InternalCoordinates*>(object);
    node.setIntProperty("version", CURRENT_VERSION);
    SerializationNode& atoms = node.createChildNode("Atoms");
    for (int row = 0; row < definition.getNumAtoms(); row++) {
        int particle, j, k, l;
        definition.getAtom(row, particle, j, k, l);
        atoms.createChildNode("Atom").setIntProperty("p", particle).setIntProperty("j", j).setIntProperty("k", k)
                .setIntProperty("l", l).setDoubleProperty("b0", definition.getFixedBondLength(row));
    }
}

void* InternalCoordinatesProxy::deserialize(const SerializationNode& node) const {
    const int version = node.getIntProperty("version");
    if (version < 1 || version > CURRENT_VERSION)
        throw OpenMMException("Unsupported version " + std::to_string(version) + " of InternalCoordinates; this build reads up to "
                + std::to_string(CURRENT_VERSION));
    auto definition = std::make_unique<InternalCoordinates>();
    const SerializationNode& atoms = node.getChildNode("Atoms");
    for (const SerializationNode& atom : atoms.getChildren()) {
        const int row = definition->addAtom(atom.getIntProperty("p"), atom.getIntProperty("j"), atom.getIntProperty("k"), atom.getIntProperty("l"));
        const double fixedLength = atom.getDoubleProperty("b0");
        if (fixedLength != 0.0)
            definition->setFixedBondLength(row, fixedLength);
    }
    return definition.release();
}
