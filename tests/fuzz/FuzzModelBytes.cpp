// SPDX-License-Identifier: MIT
// Fuzz target: model bytes as a TSFForce receives them (from a file, Python, or base64 inside System XML): the
// archive check and the load by libtorch. Every input must load or be refused with an exception.
#include "FuzzFixtures.h"
#include "openmmtsf/TSFForce.h"
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static TSFFuzz::InputCounter counter("FuzzModelBytes");
    static const TSFPlugin::InternalCoordinates zMatrix = TSFFuzz::chainZMatrix();
    bool refused = false;
    try {
        TSFPlugin::TSFForce force(std::string((const char*) data, size), zMatrix, TSFPlugin::TSFForce::ModelBytes);
    } catch (const std::exception&) {
        refused = true;
    }
    counter.count(refused);
    return 0;
}
