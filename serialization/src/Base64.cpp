// SPDX-License-Identifier: MIT
#include "openmmtsf/Base64.h"
#include "openmm/OpenMMException.h"

using namespace TSFPlugin;

namespace {
const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string TSFPlugin::encodeBase64(const std::string& bytes) {
    std::string text;
    text.reserve(4 * ((bytes.size() + 2) / 3));
    for (size_t i = 0; i < bytes.size(); i += 3) {
        const size_t count = std::min<size_t>(3, bytes.size() - i);
        unsigned int group = 0;
        for (size_t k = 0; k < 3; k++)
            group = (group << 8) | (k < count ? (unsigned char) bytes[i + k] : 0);
        for (size_t k = 0; k < 4; k++)
            text += (k <= count ? ALPHABET[(group >> (18 - 6 * k)) & 63] : '=');
    }
    return text;
}

std::string TSFPlugin::decodeBase64(const std::string& text) {
    if (text.size() % 4 != 0)
        throw OpenMM::OpenMMException("Invalid base64: its length is not a multiple of 4");
    int value[256];
    for (int c = 0; c < 256; c++)
        value[c] = -1;
    for (int k = 0; k < 64; k++)
        value[(unsigned char) ALPHABET[k]] = k;
    std::string bytes;
    bytes.reserve(3 * text.size() / 4);
    for (size_t i = 0; i < text.size(); i += 4) {
        unsigned int group = 0;
        int padding = 0;
        for (size_t k = 0; k < 4; k++) {
            const unsigned char c = text[i + k];
            const bool last = (i + 4 == text.size());
            if (c == '=' && last && k >= 2 && (k == 3 || text[i + 3] == '=')) {
                padding++;
                group <<= 6;
                continue;
            }
            if (value[c] < 0 || padding > 0)
                throw OpenMM::OpenMMException("Invalid base64: unexpected character at position " + std::to_string(i + k));
            group = (group << 6) | value[c];
        }
        for (int k = 0; k < 3 - padding; k++)
            bytes += (char) ((group >> (16 - 8 * k)) & 255);
    }
    return bytes;
}
