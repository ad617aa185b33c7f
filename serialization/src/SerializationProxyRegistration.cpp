#include "openmmtsf/InternalCoordinates.h"
#include "openmmtsf/InternalCoordinatesProxy.h"

namespace {

/** Registers the plugin's serialization proxies when the OpenMMTSF library is loaded. */
__attribute__((constructor)) void registerTSFSerializationProxies() {
    OpenMM::SerializationProxy::registerProxy(typeid(TSFPlugin::InternalCoordinates), new TSFPlugin::InternalCoordinatesProxy());
}

} // namespace
