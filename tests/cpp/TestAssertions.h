// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_TEST_ASSERTIONS_H_
#define OPENMM_TSF_TEST_ASSERTIONS_H_

#include "openmm/OpenMMException.h"
#include <gtest/gtest.h>
#include <string>

/** Expect `statement` to throw an OpenMMException whose message contains `fragment`. */
#define EXPECT_THROW_WITH(statement, fragment) \
    try { \
        statement; \
        ADD_FAILURE() << "no exception from " #statement; \
    } catch (const OpenMM::OpenMMException& e) { \
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << "message: " << e.what(); \
    }

#endif
