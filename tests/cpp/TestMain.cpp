// SPDX-License-Identifier: MIT
#include "TestPlatforms.h"
#include "openmm/Platform.h"
#include <gtest/gtest.h>

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    // The CPU and OpenCL platforms are plugins: load them before registering the TSF kernels with them.
    TSFTest::loadOpenMMPlugins();
    TSFTest::registerTestedKernels();
    return RUN_ALL_TESTS();
}
