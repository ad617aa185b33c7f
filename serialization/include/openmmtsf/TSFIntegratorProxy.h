// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_INTEGRATOR_PROXY_H_
#define OPENMM_TSF_INTEGRATOR_PROXY_H_

#include "openmm/serialization/SerializationProxy.h"

namespace TSFPlugin {

/**
 * Serializes a TSFIntegrator's settings (version 1): temperatures and latent step sizes (one Replica node
 * each), prior-move probability, exchange interval and scheme, adaptation, seed, force index and groups.
 * Replica states are not settings; they go into Context checkpoints.
 */
class TSFIntegratorProxy : public OpenMM::SerializationProxy {
public:
    TSFIntegratorProxy();
    void serialize(const void* object, OpenMM::SerializationNode& node) const override;
    void* deserialize(const OpenMM::SerializationNode& node) const override;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_INTEGRATOR_PROXY_H_*/
