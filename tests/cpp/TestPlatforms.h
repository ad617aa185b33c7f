// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_TEST_PLATFORMS_H_
#define OPENMM_TSF_TEST_PLATFORMS_H_

#include "openmm/Platform.h"
#include <map>
#include <string>
#include <vector>

namespace TSFTest {

/**
 * The platforms that platform-parameterised suites run on, as "Name" or "Name:precision": Reference, CPU and,
 * for each of OpenCL and CUDA whose OpenMM platform and TSF kernel library both loaded, that platform in single,
 * mixed and double precision. The environment variable TSF_TEST_PLATFORMS (comma-separated keys)
 * chooses the list instead.
 */
std::vector<std::string> platformsUnderTest();

/** The platform of a test parameter. */
OpenMM::Platform& platformOf(const std::string& key);

/** The Context properties of a test parameter (its precision). */
std::map<std::string, std::string> propertiesOf(const std::string& key);

/** Whether a test parameter computes the IC transform in single precision. */
bool isSinglePrecision(const std::string& key);

/** Load OpenMM's plugin platforms (CPU, OpenCL), once. */
void loadOpenMMPlugins();

/**
 * Load OpenMM's plugins, register the Reference kernels, and load the GPU kernel libraries that were built (from
 * the build's plugin directory), once.
 */
void registerTestedKernels();

} // namespace TSFTest

#endif /*OPENMM_TSF_TEST_PLATFORMS_H_*/
