#include "openmmtsf/TSFRegistration.h"
#include "openmm/Platform.h"
#include <gtest/gtest.h>

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    // The CPU platform is a plugin: load it before registering the TSF kernels with it.
    OpenMM::Platform::loadPluginsFromDirectory(OpenMM::Platform::getDefaultPluginsDirectory());
    TSFPlugin::registerTSFReferenceKernelFactories();
    return RUN_ALL_TESTS();
}
