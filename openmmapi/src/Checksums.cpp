// SPDX-License-Identifier: MIT
/*
 * SHA-256 and the zip-container check of model bytes (with zlib's inflate and CRC-32). SHA-256 is written here, not
 * taken from OpenSSL, to keep the API library's dependencies to OpenMM, libtorch and zlib; it is short and standard
 * (FIPS 180-4).
 */
#include "openmmtsf/internal/Checksums.h"
#include "openmm/OpenMMException.h"
#include <zlib.h>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <vector>

using OpenMM::OpenMMException;

namespace {

std::uint32_t rotateRight(std::uint32_t x, int n) {
    return (x >> n) | (x << (32 - n));
}

const std::uint32_t SHA256_ROUND_CONSTANTS[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

/** One 64-byte block of SHA-256 into the state. */
void sha256Block(const unsigned char* block, std::uint32_t state[8]) {
    std::uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (std::uint32_t) block[4 * i] << 24 | (std::uint32_t) block[4 * i + 1] << 16 | (std::uint32_t) block[4 * i + 2] << 8 | block[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        const std::uint32_t s0 = rotateRight(w[i - 15], 7) ^ rotateRight(w[i - 15], 18) ^ (w[i - 15] >> 3);
        const std::uint32_t s1 = rotateRight(w[i - 2], 17) ^ rotateRight(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6], h = state[7];
    for (int i = 0; i < 64; i++) {
        const std::uint32_t t1 = h + (rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25)) + ((e & f) ^ (~e & g)) + SHA256_ROUND_CONSTANTS[i] + w[i];
        const std::uint32_t t2 = (rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    const std::uint32_t add[8] = {a, b, c, d, e, f, g, h};
    for (int i = 0; i < 8; i++)
        state[i] += add[i];
}

/** A little-endian unsigned field of a zip record, which must lie inside the bytes. */
std::uint32_t field(const std::string& bytes, std::size_t offset, int width) {
    if (offset + width > bytes.size())
        throw OpenMMException("Cannot load the TSF model: it is not a TorchScript module saved by torch.jit.save: a zip record runs past its end");
    std::uint32_t value = 0;
    for (int i = width - 1; i >= 0; i--)
        value = (value << 8) | (unsigned char) bytes[offset + i];
    return value;
}

/** The CRC-32 of a zip entry's content: of its bytes if stored, of what they inflate to (exactly
 * ``uncompressed`` bytes, or an exception) if deflated. Inflates in pieces, so a damaged size allocates nothing. */
std::uint32_t entryCrc32(const char* data, std::size_t compressed, bool deflated, std::size_t uncompressed, const std::string& invalid) {
    if (!deflated)
        return ::crc32(0L, (const Bytef*) data, (uInt) compressed);
    z_stream stream{};
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK)
        throw OpenMMException("Cannot load the TSF model: zlib cannot start inflating");
    std::unique_ptr<z_stream, int (*)(z_stream*)> end(&stream, inflateEnd);
    stream.next_in = (Bytef*) data;
    stream.avail_in = (uInt) compressed;
    unsigned char piece[16384];
    uLong crc = ::crc32(0L, Z_NULL, 0);
    std::size_t total = 0;
    int status = Z_OK;
    while (status != Z_STREAM_END) {
        stream.next_out = piece;
        stream.avail_out = sizeof(piece);
        status = inflate(&stream, Z_NO_FLUSH);
        const std::size_t produced = sizeof(piece) - stream.avail_out;
        if ((status != Z_OK && status != Z_STREAM_END) || (status == Z_OK && produced == 0 && stream.avail_in == 0))
            throw OpenMMException(invalid + "a deflated zip entry is corrupt or truncated");
        total += produced;
        if (total > uncompressed)
            throw OpenMMException(invalid + "a deflated zip entry inflates past its recorded size");
        crc = ::crc32(crc, piece, (uInt) produced);
    }
    if (total != uncompressed)
        throw OpenMMException(invalid + "a deflated zip entry inflates to less than its recorded size");
    return (std::uint32_t) crc;
}

/** A little-endian 64-bit field of a zip64 record, which must lie inside the bytes. */
std::uint64_t field64(const std::string& bytes, std::size_t offset) {
    return field(bytes, offset, 4) | ((std::uint64_t) field(bytes, offset + 4, 4) << 32);
}

/** Where a zip archive's central directory lies, and how many entries it has. */
struct CentralDirectory {
    std::uint32_t entries, size, offset;
};

/**
 * The central directory of an archive, from its end-of-central-directory record, the last one as libtorch's reader
 * (miniz) takes it, and from the zip64 end record torch.jit.save also writes, which miniz then reads; both must agree,
 * describe a single-disk archive, and lie inside the bytes.
 */
CentralDirectory locateCentralDirectory(const std::string& bytes, const std::string& invalid) {
    // The end-of-central-directory record: 22 bytes plus a comment of at most 65535.
    const std::size_t minimum = 22;
    if (bytes.size() < minimum)
        throw OpenMMException(invalid + "it is too short to be a zip file");
    std::size_t end = std::string::npos;
    const std::size_t earliest = (bytes.size() > minimum + 65535 ? bytes.size() - minimum - 65535 : 0);
    for (std::size_t at = bytes.size() - minimum + 1; at-- > earliest;)
        if (field(bytes, at, 4) == 0x06054b50) {
            end = at;
            break;
        }
    if (end == std::string::npos || end + minimum + field(bytes, end + 20, 2) != bytes.size())
        throw OpenMMException(invalid + "it has no zip end-of-central-directory record (not a zip file, or truncated)");
    const CentralDirectory central{field(bytes, end + 10, 2), field(bytes, end + 12, 4), field(bytes, end + 16, 4)};
    if (field(bytes, end + 4, 2) != 0 || field(bytes, end + 6, 2) != 0 || field(bytes, end + 8, 2) != central.entries)
        throw OpenMMException(invalid + "it is a multi-disk zip archive");
    if (central.entries == 0xFFFF || central.offset == 0xFFFFFFFFu || central.size == 0xFFFFFFFFu)
        throw OpenMMException(invalid + "it needs zip64 sizes, which a model of this size cannot need");
    if (end >= 20 && field(bytes, end - 20, 4) == 0x07064b50) {
        const std::uint64_t record = field64(bytes, end - 12);
        if (field(bytes, end - 16, 4) != 0 || field(bytes, end - 4, 4) > 1 || record > end - 20 || end - 20 - record < 56 ||
                field(bytes, record, 4) != 0x06064b50 || field(bytes, record + 16, 4) != 0 || field(bytes, record + 20, 4) != 0 ||
                field64(bytes, record + 24) != central.entries || field64(bytes, record + 32) != central.entries ||
                field64(bytes, record + 40) != central.size || field64(bytes, record + 48) != central.offset)
            throw OpenMMException(invalid + "its zip64 end record disagrees with its end-of-central-directory record");
        end = record;
    }
    if ((std::size_t) central.offset + central.size > end || central.size < 46ull * central.entries)
        throw OpenMMException(invalid + "its zip central directory lies outside the file");
    return central;
}

} // namespace

std::string TSFPlugin::sha256Hex(const std::string& bytes) {
    std::uint32_t state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const std::size_t full = bytes.size() / 64 * 64;
    for (std::size_t i = 0; i < full; i += 64)
        sha256Block((const unsigned char*) bytes.data() + i, state);
    unsigned char tail[128] = {0};
    const std::size_t rest = bytes.size() - full;
    std::memcpy(tail, bytes.data() + full, rest);
    tail[rest] = 0x80;
    const std::size_t tailSize = (rest < 56 ? 64 : 128);
    const unsigned long long bits = (unsigned long long) bytes.size() * 8;
    for (int i = 0; i < 8; i++)
        tail[tailSize - 1 - i] = (unsigned char) (bits >> (8 * i));
    for (std::size_t i = 0; i < tailSize; i += 64)
        sha256Block(tail + i, state);
    static const char digits[] = "0123456789abcdef";
    std::string hex;
    for (std::uint32_t word : state)
        for (int shift = 28; shift >= 0; shift -= 4)
            hex += digits[(word >> shift) & 0xF];
    return hex;
}

std::uint64_t TSFPlugin::checkModelArchive(const std::string& bytes) {
    const std::string invalid = "Cannot load the TSF model: it is not a TorchScript module saved by torch.jit.save: ";
    const CentralDirectory central = locateCentralDirectory(bytes, invalid);
    const std::uint32_t entries = central.entries, directory = central.offset;
    const std::size_t directoryEnd = (std::size_t) central.offset + central.size;
    std::size_t at = directory;
    std::string folder, version;
    bool hasVersion = false, hasDataVersion = false;
    std::set<std::string> names;
    for (std::uint32_t e = 0; e < entries; e++) {
        if (field(bytes, at, 4) != 0x02014b50 || field(bytes, at + 34, 2) != 0)
            throw OpenMMException(invalid + "a zip central-directory entry is corrupt");
        const std::uint32_t flags = field(bytes, at + 8, 2), method = field(bytes, at + 10, 2), crc = field(bytes, at + 16, 4);
        const std::uint32_t compressed = field(bytes, at + 20, 4), uncompressed = field(bytes, at + 24, 4);
        const std::uint32_t nameLength = field(bytes, at + 28, 2), extraLength = field(bytes, at + 30, 2), commentLength = field(bytes, at + 32, 2);
        const std::uint32_t local = field(bytes, at + 42, 4);
        if (at + 46 + nameLength + extraLength + commentLength > directoryEnd)
            throw OpenMMException(invalid + "a zip central-directory entry runs past the directory");
        if (compressed == 0xFFFFFFFFu || uncompressed == 0xFFFFFFFFu || local == 0xFFFFFFFFu)
            throw OpenMMException(invalid + "a zip entry needs zip64 sizes, which a model of this size cannot need");
        if (method != 0 && method != 8)
            throw OpenMMException(invalid + "a zip entry uses compression method " + std::to_string(method) +
                    "; torch.jit.save stores entries or deflates them");
        if (method == 0 && compressed != uncompressed)
            throw OpenMMException(invalid + "a stored zip entry has two different sizes");
        if (local >= directory || field(bytes, local, 4) != 0x04034b50)
            throw OpenMMException(invalid + "a zip local header is corrupt");
        // Encryption (bits 0, 6, 13) and patch data (bit 5): torch.jit.save writes neither, libtorch reads neither.
        const std::uint32_t unsupported = (1u << 0) | (1u << 5) | (1u << 6) | (1u << 13);
        if (((flags | field(bytes, local + 6, 2)) & unsupported) != 0)
            throw OpenMMException(invalid + "a zip entry is marked encrypted or as patch data");
        const std::size_t data = (std::size_t) local + 30 + field(bytes, local + 26, 2) + field(bytes, local + 28, 2);
        if (data + compressed > directory)
            throw OpenMMException(invalid + "a zip entry runs past its end");
        // libtorch's zip reader checks no CRC-32, and damaged TorchScript code or debug records can crash it.
        if (entryCrc32(bytes.data() + data, compressed, method == 8, uncompressed, invalid) != crc)
            throw OpenMMException(invalid + "the CRC-32 of zip entry '" + bytes.substr(at + 46, std::min<std::uint32_t>(nameLength, 200)) +
                    "' does not match (the model bytes were changed or damaged)");
        const std::string name = bytes.substr(at + 46, nameLength);
        if (!names.insert(name).second)
            throw OpenMMException(invalid + "it has two zip entries named '" + name.substr(0, 200) + "'");
        if (e == 0)
            folder = name.substr(0, name.find('/') + 1);
        if (folder.size() < 2 || name.compare(0, folder.size(), folder) != 0)
            throw OpenMMException(invalid + "its entries are not all in one top-level folder");
        // libtorch reads .data/version where there is one, version otherwise.
        const bool dataVersion = (name == folder + ".data/version");
        if ((dataVersion || name == folder + "version") && (dataVersion || !hasDataVersion)) {
            if (method != 0)
                throw OpenMMException(invalid + "its version record is compressed");
            hasVersion = true;
            hasDataVersion = hasDataVersion || dataVersion;
            version = bytes.substr(data, std::min<std::uint32_t>(compressed, 20));
        }
        at += 46 + nameLength + extraLength + commentLength;
    }
    if (!hasVersion)
        throw OpenMMException(invalid + "it has no version record");
    const std::size_t digits = version.find_first_not_of(" \t\n");
    if (digits == std::string::npos || version[digits] < '0' || version[digits] > '9')
        throw OpenMMException(invalid + "its version record is not a number");
    return std::strtoull(version.c_str() + digits, nullptr, 10);
}
