// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_INTERNAL_COORDINATES_PROXY_H_
#define OPENMM_TSF_INTERNAL_COORDINATES_PROXY_H_

#include "openmm/serialization/SerializationProxy.h"

namespace TSFPlugin {

/**
 * Serializes an InternalCoordinates definition (version 1): one Atom node per Z-matrix row with its particle
 * (p), partners (j, k, l; -1 where absent) and fixed bond length in nm (b0; 0 for a free bond). Deserializing
 * re-runs every check of InternalCoordinates::addAtom().
 */
class InternalCoordinatesProxy : public OpenMM::SerializationProxy {
public:
    InternalCoordinatesProxy();
    void serialize(const void* object, OpenMM::SerializationNode& node) const override;
    void* deserialize(const OpenMM::SerializationNode& node) const override;
};

} // namespace TSFPlugin

#endif /*OPENMM_TSF_INTERNAL_COORDINATES_PROXY_H_*/
