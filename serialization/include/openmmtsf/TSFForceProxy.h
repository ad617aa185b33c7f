// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_FORCE_PROXY_H_
#define OPENMM_TSF_FORCE_PROXY_H_

#include "openmm/serialization/SerializationProxy.h"

namespace TSFPlugin {

/**
 * Serializes a TSFForce (version 2): the force group and name, the model as base64 in the attribute "model",
 * the flow-jump settings (frequency, jumpStepSize, jumpPriorProbability; added in version 2, read as no jumps
 * from version 1), and the Z-matrix as an InternalCoordinates child node. Deserializing loads and checks the
 * model again.
 */
class TSFForceProxy : public OpenMM::SerializationProxy {
public:
    TSFForceProxy();
    void serialize(const void* object, OpenMM::SerializationNode& node) const override;
    void* deserialize(const OpenMM::SerializationNode& node) const override;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_FORCE_PROXY_H_*/
