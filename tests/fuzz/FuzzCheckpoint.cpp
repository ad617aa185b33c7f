// SPDX-License-Identifier: MIT
// Fuzz target: the TSFIntegrator's part of a Context checkpoint. The input replaces that part after OpenMM's own
// part of a real checkpoint (OpenMM's reader is not under test). A refused checkpoint must change no replica; an
// accepted one must be usable (the integrator steps from it). Either way the harness then restores the real one.
#include "FuzzFixtures.h"
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static TSFFuzz::InputCounter counter("FuzzCheckpoint");
    static TSFFuzz::CheckpointHarness harness;
    std::stringstream stream(harness.openmmPart + std::string((const char*) data, size));
    bool refused = false;
    try {
        harness.context->loadCheckpoint(stream);
    } catch (const std::exception&) {
        refused = true;
    }
    counter.count(refused);
    if (refused && harness.currentReplicas() != harness.replicas) {
        std::fprintf(stderr, "FuzzCheckpoint: a refused checkpoint changed the replicas\n");
        std::abort();
    }
    if (!refused) {
        try {
            harness.integrator.step(2);
        } catch (const std::exception&) {
            // A state the model cannot handle is refused at the step, with the Context left at replica 0.
        }
    }
    harness.restore();
    return 0;
}
