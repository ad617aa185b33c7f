// SPDX-License-Identifier: MIT
#include "TestPlatforms.h"
#include "openmmtsf/TSFKernels.h"
#include "openmmtsf/TSFRegistration.h"
#include <cstdlib>
#include <sstream>

using namespace TSFTest;

namespace {

/** Whether OpenMM has loaded the platform of a name and the plugin's kernels are registered with it. */
bool hasTSFKernels(const std::string& name) {
    for (int i = 0; i < OpenMM::Platform::getNumPlatforms(); i++) {
        const OpenMM::Platform& platform = OpenMM::Platform::getPlatform(i);
        if (platform.getName() == name)
            return platform.supportsKernels({TSFPlugin::IntegrateTSFStepKernel::Name()});
    }
    return false;
}

} // namespace

void TSFTest::loadOpenMMPlugins() {
    static bool loaded = false;
    if (!loaded)
        OpenMM::Platform::loadPluginsFromDirectory(OpenMM::Platform::getDefaultPluginsDirectory());
    loaded = true;
}

void TSFTest::registerTestedKernels() {
    static bool registered = false;
    if (registered)
        return;
    registered = true;
    loadOpenMMPlugins();
    TSFPlugin::registerTSFReferenceKernelFactories();
    // The GPU kernel libraries, as OpenMM loads plugins: one that cannot load (no GPU driver) is skipped.
    OpenMM::Platform::loadPluginsFromDirectory(TSF_PLUGIN_DIRECTORY);
}

std::vector<std::string> TSFTest::platformsUnderTest() {
    loadOpenMMPlugins();
    std::vector<std::string> keys;
    if (const char* chosen = std::getenv("TSF_TEST_PLATFORMS")) {
        std::stringstream list(chosen);
        for (std::string key; std::getline(list, key, ',');)
            keys.push_back(key);
        return keys;
    }
    keys = {"Reference", "CPU"};
    registerTestedKernels();
    for (const char* name : {"OpenCL", "CUDA"})
        if (hasTSFKernels(name))
            for (const char* precision : {"single", "mixed", "double"})
                keys.push_back(std::string(name) + ":" + precision);
    return keys;
}

OpenMM::Platform& TSFTest::platformOf(const std::string& key) {
    return OpenMM::Platform::getPlatformByName(key.substr(0, key.find(':')));
}

std::map<std::string, std::string> TSFTest::propertiesOf(const std::string& key) {
    const size_t colon = key.find(':');
    if (colon == std::string::npos)
        return {};
    return {{"Precision", key.substr(colon + 1)}};
}

bool TSFTest::isSinglePrecision(const std::string& key) {
    return key.size() > 7 && key.compare(key.size() - 7, 7, ":single") == 0;
}
