// SPDX-License-Identifier: MIT
// Writes the fuzz targets' seed corpus (tests/fuzz/corpus/<target>/): valid inputs that the fuzzers mutate.
// Usage: MakeFuzzCorpus <corpus directory>
#include "FuzzFixtures.h"
#include "TestModels.h"
#include "TestSystems.h"
#include "openmmtsf/TSFIntegrator.h"
#include "openmm/System.h"
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace {

void write(const std::string& path, const std::string& bytes) {
    std::ofstream file(path, std::ios::binary);
    file.write(bytes.data(), bytes.size());
    if (!file)
        throw std::runtime_error("cannot write " + path);
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: MakeFuzzCorpus <corpus directory>" << std::endl;
        return 2;
    }
    const std::string root = argv[1];
    TSFFuzz::CheckpointHarness harness;
    write(root + "/FuzzCheckpoint/chain-3-replicas.bin", harness.integratorPart);
    write(root + "/FuzzModelBytes/conditioned-sinh.pt", TSFFuzz::chainModel());
    write(root + "/FuzzModelBytes/miniature-tsf.pt", TSFTest::miniatureTSF({0.15, 0.15, 0.15, 1.9, 1.9, 0.0},
            {-5.0, -5.0, -5.0, -2.0, -2.0, 0.0}, 600.0));
    // The proxies' target reads its choices as numbers from the end of its input (FuzzedDataProvider): the type,
    // then the number of edits (none here), then the edits.
    write(root + "/FuzzXmlProxies/force.bin", std::string("\x00\x00", 2));
    write(root + "/FuzzXmlProxies/integrator.bin", std::string("\x00\x01", 2));
    write(root + "/FuzzXmlProxies/zmatrix.bin", std::string("\x00\x02", 2));
    write(root + "/FuzzXmlProxies/edits.bin", std::string("\x00\x03\x00\x01\x05\x07\x01\x02\x00\x04", 10));
    return 0;
}
