#include "TestPlatforms.h"
#include "openmmtsf/TSFRegistration.h"
#include <cstdlib>
#include <sstream>

using namespace TSFTest;

namespace {

bool hasPlatform(const std::string& name) {
    for (int i = 0; i < OpenMM::Platform::getNumPlatforms(); i++)
        if (OpenMM::Platform::getPlatform(i).getName() == name)
            return true;
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
    TSFPlugin::registerTSFReferenceKernelFactories();
#ifdef TSF_TEST_OPENCL
    TSFPlugin::registerTSFOpenCLKernelFactories();
#endif
#ifdef TSF_TEST_CUDA
    TSFPlugin::registerTSFCudaKernelFactories();
#endif
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
#ifdef TSF_TEST_OPENCL
    if (hasPlatform("OpenCL"))
        for (const char* precision : {"single", "mixed", "double"})
            keys.push_back(std::string("OpenCL:") + precision);
#endif
#ifdef TSF_TEST_CUDA
    if (hasPlatform("CUDA"))
        for (const char* precision : {"single", "mixed", "double"})
            keys.push_back(std::string("CUDA:") + precision);
#endif
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
