// SPDX-License-Identifier: MIT
#include "openmmtsf/TSFForceProxy.h"
#include "openmmtsf/Base64.h"
#include "openmmtsf/TSFForce.h"
#include "openmmtsf/internal/Sha256.h"
#include "openmm/OpenMMException.h"
#include "openmm/serialization/SerializationNode.h"
#include <memory>

using namespace TSFPlugin;
using OpenMM::OpenMMException;
using OpenMM::SerializationNode;
using OpenMM::SerializationProxy;

namespace {
/** Version 2 added the jump settings, version 3 the SHA-256 of the model's bytes. */
const int CURRENT_VERSION = 3;
}

TSFForceProxy::TSFForceProxy() : SerializationProxy("TSFForce") {
}

void TSFForceProxy::serialize(const void* object, SerializationNode& node) const {
    const TSFForce& force = *reinterpret_cast<const TSFForce*>(object);
    node.setIntProperty("version", CURRENT_VERSION);
    node.setIntProperty("forceGroup", force.getForceGroup());
    node.setStringProperty("name", force.getName());
    node.setStringProperty("model", encodeBase64(force.getModelBytes()));
    node.setStringProperty("modelSha256", sha256Hex(force.getModelBytes()));
    node.setIntProperty("frequency", force.getFrequency());
    node.setDoubleProperty("jumpStepSize", force.getJumpStepSize());
    node.setDoubleProperty("jumpPriorProbability", force.getJumpPriorProbability());
    const InternalCoordinates& definition = force.getInternalCoordinates();
    SerializationProxy::getProxy(typeid(InternalCoordinates)).serialize(&definition, node.createChildNode("InternalCoordinates"));
}

void* TSFForceProxy::deserialize(const SerializationNode& node) const {
    const int version = node.getIntProperty("version");
    if (version < 1 || version > CURRENT_VERSION)
        throw OpenMMException("Unsupported version " + std::to_string(version) + " of TSFForce; this build reads up to " +
                std::to_string(CURRENT_VERSION));
    const SerializationNode& zmatrix = node.getChildNode("InternalCoordinates");
    std::unique_ptr<InternalCoordinates> definition(reinterpret_cast<InternalCoordinates*>(
            SerializationProxy::getProxy(typeid(InternalCoordinates)).deserialize(zmatrix)));
    const std::string model = decodeBase64(node.getStringProperty("model"));
    if (version >= 3 && sha256Hex(model) != node.getStringProperty("modelSha256"))
        throw OpenMMException("TSFForce: the embedded model does not match its SHA-256 (the XML was changed or damaged)");
    auto force = std::make_unique<TSFForce>(model, *definition, TSFForce::ModelBytes);
    force->setForceGroup(node.getIntProperty("forceGroup", 0));
    force->setName(node.getStringProperty("name", force->getName()));
    if (version >= 2) {
        force->setFrequency(node.getIntProperty("frequency"));
        force->setJumpStepSize(node.getDoubleProperty("jumpStepSize"));
        force->setJumpPriorProbability(node.getDoubleProperty("jumpPriorProbability"));
    }
    return force.release();
}
