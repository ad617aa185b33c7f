// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_CHECKSUMS_H_
#define OPENMM_TSF_CHECKSUMS_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace TSFPlugin {

/** The CRC-32 (ISO-HDLC, as zip files use) of bytes. */
std::uint32_t crc32(const char* bytes, std::size_t size);

/** The SHA-256 digest of bytes, as 64 lowercase hexadecimal digits. */
std::string sha256Hex(const std::string& bytes);

/**
 * Check that bytes are a well-formed zip archive, as torch.jit.save writes one, before libtorch reads them: the
 * end-of-central-directory record, every central and local header and every entry inside the bytes, entries
 * stored or deflated, and the CRC-32 of every stored entry (the tensors' data and the pickles; deflated entries,
 * the TorchScript code, are not inflated here). libtorch's reader checks none of this and can crash on malformed
 * input.
 *
 * @throws OpenMMException saying what is wrong
 */
void checkModelArchive(const std::string& bytes);

} // namespace TSFPlugin

#endif /*OPENMM_TSF_CHECKSUMS_H_*/
