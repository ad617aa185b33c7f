// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_BASE64_H_
#define OPENMM_TSF_BASE64_H_

#include <string>

namespace TSFPlugin {

/** Encode bytes as base64 (RFC 4648, with padding), to embed a model in XML. */
std::string encodeBase64(const std::string& bytes);

/**
 * Decode base64 written by encodeBase64().
 *
 * @throws OpenMMException if the text is not valid base64
 */
std::string decodeBase64(const std::string& text);

} // namespace TSFPlugin

#endif /*OPENMM_TSF_BASE64_H_*/
