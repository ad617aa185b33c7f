// SPDX-License-Identifier: MIT
/*
 * The zip-container check of model bytes (with zlib's inflate and CRC-32), before libtorch's zip reader sees them.
 * Record layouts, offsets and flags are those of PKWARE's zip specification (APPNOTE.TXT 6.3), cited by section.
 */
#include "openmmtsf/internal/ModelArchive.h"
#include "openmm/OpenMMException.h"
#include <zlib.h>
#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <set>

using OpenMM::OpenMMException;

namespace {

// The end-of-central-directory record (APPNOTE 4.3.16): fixed part, then a comment.
namespace EndRecord {
constexpr std::uint32_t Signature = 0x06054b50;
constexpr std::size_t Size = 22, MaxCommentLength = 65535;
constexpr std::size_t Disk = 4, DirectoryDisk = 6, DiskEntries = 8, Entries = 10, DirectorySize = 12, DirectoryOffset = 16,
        CommentLength = 20;
} // namespace EndRecord

// The zip64 end-of-central-directory locator (APPNOTE 4.3.15), just before the end-of-central-directory record.
namespace Zip64Locator {
constexpr std::uint32_t Signature = 0x07064b50;
constexpr std::size_t Size = 20;
constexpr std::size_t RecordDisk = 4, RecordOffset = 8, TotalDisks = 16;
} // namespace Zip64Locator

// The zip64 end-of-central-directory record (APPNOTE 4.3.14): fixed part, then an extensible data sector.
namespace Zip64EndRecord {
constexpr std::uint32_t Signature = 0x06064b50;
constexpr std::size_t Size = 56;
constexpr std::size_t Disk = 16, DirectoryDisk = 20, DiskEntries = 24, Entries = 32, DirectorySize = 40, DirectoryOffset = 48;
} // namespace Zip64EndRecord

// A central directory file header (APPNOTE 4.3.12): fixed part, then the name, extra field and comment.
namespace CentralHeader {
constexpr std::uint32_t Signature = 0x02014b50;
constexpr std::size_t Size = 46;
constexpr std::size_t Flags = 8, Method = 10, Crc32 = 16, CompressedSize = 20, UncompressedSize = 24, NameLength = 28,
        ExtraLength = 30, CommentLength = 32, Disk = 34, LocalHeaderOffset = 42;
} // namespace CentralHeader

// A local file header (APPNOTE 4.3.7): fixed part, then the name and extra field, then the entry's content.
namespace LocalHeader {
constexpr std::uint32_t Signature = 0x04034b50;
constexpr std::size_t Size = 30;
constexpr std::size_t Flags = 6, NameLength = 26, ExtraLength = 28;
} // namespace LocalHeader

// A 16- or 32-bit field's maximum, which says that its value is in the zip64 records (APPNOTE 4.4.1.4).
namespace Zip64Marker {
constexpr std::uint32_t Field16 = 0xFFFF, Field32 = 0xFFFFFFFFu;
} // namespace Zip64Marker

// Compression methods (APPNOTE 4.4.5).
namespace Compression {
constexpr std::uint32_t Stored = 0, Deflated = 8;
} // namespace Compression

// General purpose bit flags (APPNOTE 4.4.4).
namespace Flag {
constexpr std::uint32_t Encrypted = 1u << 0, PatchData = 1u << 5, StrongEncryption = 1u << 6, MaskedLocalHeader = 1u << 13;
} // namespace Flag

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
    // The end-of-central-directory record: its fixed part plus a comment of at most 65535 bytes.
    if (bytes.size() < EndRecord::Size)
        throw OpenMMException(invalid + "it is too short to be a zip file");
    std::size_t end = std::string::npos;
    const std::size_t earliest = (bytes.size() > EndRecord::Size + EndRecord::MaxCommentLength ?
            bytes.size() - EndRecord::Size - EndRecord::MaxCommentLength : 0);
    for (std::size_t at = bytes.size() - EndRecord::Size + 1; at-- > earliest;)
        if (field(bytes, at, 4) == EndRecord::Signature) {
            end = at;
            break;
        }
    if (end == std::string::npos || end + EndRecord::Size + field(bytes, end + EndRecord::CommentLength, 2) != bytes.size())
        throw OpenMMException(invalid + "it has no zip end-of-central-directory record (not a zip file, or truncated)");
    const CentralDirectory central{field(bytes, end + EndRecord::Entries, 2), field(bytes, end + EndRecord::DirectorySize, 4),
            field(bytes, end + EndRecord::DirectoryOffset, 4)};
    if (field(bytes, end + EndRecord::Disk, 2) != 0 || field(bytes, end + EndRecord::DirectoryDisk, 2) != 0 ||
            field(bytes, end + EndRecord::DiskEntries, 2) != central.entries)
        throw OpenMMException(invalid + "it is a multi-disk zip archive");
    if (central.entries == Zip64Marker::Field16 || central.offset == Zip64Marker::Field32 || central.size == Zip64Marker::Field32)
        throw OpenMMException(invalid + "it needs zip64 sizes, which a model of this size cannot need");
    if (end >= Zip64Locator::Size && field(bytes, end - Zip64Locator::Size, 4) == Zip64Locator::Signature) {
        const std::size_t locator = end - Zip64Locator::Size;
        const std::uint64_t record = field64(bytes, locator + Zip64Locator::RecordOffset);
        if (field(bytes, locator + Zip64Locator::RecordDisk, 4) != 0 || field(bytes, locator + Zip64Locator::TotalDisks, 4) > 1 ||
                record > locator || locator - record < Zip64EndRecord::Size ||
                field(bytes, record, 4) != Zip64EndRecord::Signature || field(bytes, record + Zip64EndRecord::Disk, 4) != 0 ||
                field(bytes, record + Zip64EndRecord::DirectoryDisk, 4) != 0 ||
                field64(bytes, record + Zip64EndRecord::DiskEntries) != central.entries ||
                field64(bytes, record + Zip64EndRecord::Entries) != central.entries ||
                field64(bytes, record + Zip64EndRecord::DirectorySize) != central.size ||
                field64(bytes, record + Zip64EndRecord::DirectoryOffset) != central.offset)
            throw OpenMMException(invalid + "its zip64 end record disagrees with its end-of-central-directory record");
        end = record;
    }
    if ((std::size_t) central.offset + central.size > end || central.size < (unsigned long long) CentralHeader::Size * central.entries)
        throw OpenMMException(invalid + "its zip central directory lies outside the file");
    return central;
}

} // namespace

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
        if (field(bytes, at, 4) != CentralHeader::Signature || field(bytes, at + CentralHeader::Disk, 2) != 0)
            throw OpenMMException(invalid + "a zip central-directory entry is corrupt");
        const std::uint32_t flags = field(bytes, at + CentralHeader::Flags, 2), method = field(bytes, at + CentralHeader::Method, 2);
        const std::uint32_t crc = field(bytes, at + CentralHeader::Crc32, 4);
        const std::uint32_t compressed = field(bytes, at + CentralHeader::CompressedSize, 4);
        const std::uint32_t uncompressed = field(bytes, at + CentralHeader::UncompressedSize, 4);
        const std::uint32_t nameLength = field(bytes, at + CentralHeader::NameLength, 2);
        const std::uint32_t extraLength = field(bytes, at + CentralHeader::ExtraLength, 2);
        const std::uint32_t commentLength = field(bytes, at + CentralHeader::CommentLength, 2);
        const std::uint32_t local = field(bytes, at + CentralHeader::LocalHeaderOffset, 4);
        // The entry's name follows the fixed part of its central header.
        const std::size_t nameAt = at + CentralHeader::Size;
        if (nameAt + nameLength + extraLength + commentLength > directoryEnd)
            throw OpenMMException(invalid + "a zip central-directory entry runs past the directory");
        if (compressed == Zip64Marker::Field32 || uncompressed == Zip64Marker::Field32 || local == Zip64Marker::Field32)
            throw OpenMMException(invalid + "a zip entry needs zip64 sizes, which a model of this size cannot need");
        if (method != Compression::Stored && method != Compression::Deflated)
            throw OpenMMException(invalid + "a zip entry uses compression method " + std::to_string(method) +
                    "; torch.jit.save stores entries or deflates them");
        if (method == Compression::Stored && compressed != uncompressed)
            throw OpenMMException(invalid + "a stored zip entry has two different sizes");
        if (local >= directory || field(bytes, local, 4) != LocalHeader::Signature)
            throw OpenMMException(invalid + "a zip local header is corrupt");
        // Encryption (bits 0, 6, 13) and patch data (bit 5): torch.jit.save writes neither, libtorch reads neither.
        const std::uint32_t unsupported = Flag::Encrypted | Flag::PatchData | Flag::StrongEncryption | Flag::MaskedLocalHeader;
        if (((flags | field(bytes, local + LocalHeader::Flags, 2)) & unsupported) != 0)
            throw OpenMMException(invalid + "a zip entry is marked encrypted or as patch data");
        const std::size_t data = (std::size_t) local + LocalHeader::Size + field(bytes, local + LocalHeader::NameLength, 2) +
                field(bytes, local + LocalHeader::ExtraLength, 2);
        if (data + compressed > directory)
            throw OpenMMException(invalid + "a zip entry runs past its end");
        // libtorch's zip reader checks no CRC-32, and damaged TorchScript code or debug records can crash it.
        if (entryCrc32(bytes.data() + data, compressed, method == Compression::Deflated, uncompressed, invalid) != crc)
            throw OpenMMException(invalid + "the CRC-32 of zip entry '" + bytes.substr(nameAt, std::min<std::uint32_t>(nameLength, 200)) +
                    "' does not match (the model bytes were changed or damaged)");
        const std::string name = bytes.substr(nameAt, nameLength);
        if (!names.insert(name).second)
            throw OpenMMException(invalid + "it has two zip entries named '" + name.substr(0, 200) + "'");
        if (e == 0)
            folder = name.substr(0, name.find('/') + 1);
        if (folder.size() < 2 || name.compare(0, folder.size(), folder) != 0)
            throw OpenMMException(invalid + "its entries are not all in one top-level folder");
        // libtorch reads .data/version where there is one, version otherwise.
        const bool dataVersion = (name == folder + ".data/version");
        if ((dataVersion || name == folder + "version") && (dataVersion || !hasDataVersion)) {
            if (method != Compression::Stored)
                throw OpenMMException(invalid + "its version record is compressed");
            hasVersion = true;
            hasDataVersion = hasDataVersion || dataVersion;
            version = bytes.substr(data, std::min<std::uint32_t>(compressed, 20));
        }
        at = nameAt + nameLength + extraLength + commentLength;
    }
    if (!hasVersion)
        throw OpenMMException(invalid + "it has no version record");
    const std::size_t digits = version.find_first_not_of(" \t\n");
    if (digits == std::string::npos || version[digits] < '0' || version[digits] > '9')
        throw OpenMMException(invalid + "its version record is not a number");
    return std::strtoull(version.c_str() + digits, nullptr, 10);
}
