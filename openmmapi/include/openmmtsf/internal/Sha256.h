// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_SHA256_H_
#define OPENMM_TSF_SHA256_H_

#include <string>

namespace TSFPlugin {

/** The SHA-256 digest of bytes, as 64 lowercase hexadecimal digits. */
std::string sha256Hex(const std::string& bytes);

} // namespace TSFPlugin

#endif /*OPENMM_TSF_SHA256_H_*/
