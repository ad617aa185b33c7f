// SPDX-License-Identifier: MIT
#include "openmmtsf/InternalCoordinates.h"
#include "openmmtsf/InternalCoordinatesProxy.h"
#include "openmmtsf/TSFForce.h"
#include "openmmtsf/TSFForceProxy.h"
#include "openmmtsf/TSFIntegrator.h"
#include "openmmtsf/TSFIntegratorProxy.h"

namespace {

/** Registers the plugin's serialization proxies when the OpenMMTSF library is loaded. */
__attribute__((constructor)) void registerTSFSerializationProxies() {
    using OpenMM::SerializationProxy;
    SerializationProxy::registerProxy(typeid(TSFPlugin::InternalCoordinates), new TSFPlugin::InternalCoordinatesProxy());
    SerializationProxy::registerProxy(typeid(TSFPlugin::TSFForce), new TSFPlugin::TSFForceProxy());
    SerializationProxy::registerProxy(typeid(TSFPlugin::TSFIntegrator), new TSFPlugin::TSFIntegratorProxy());
}

} // namespace
