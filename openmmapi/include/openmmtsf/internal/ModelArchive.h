// SPDX-License-Identifier: MIT
#ifndef OPENMM_TSF_MODEL_ARCHIVE_H_
#define OPENMM_TSF_MODEL_ARCHIVE_H_

#include <cstdint>
#include <string>

namespace TSFPlugin {

/**
 * Check that bytes are a well-formed zip archive, as torch.jit.save writes one, before libtorch reads them: the
 * end-of-central-directory record, every central and local header and every entry inside the bytes, entries
 * stored or deflated, the CRC-32 and size of every entry's content (deflated entries are inflated to check them);
 * entries in one top-level folder with a stored version record, as libtorch's reader requires. libtorch's reader
 * checks none of the former and can crash on malformed input; when it refuses the latter, it leaks its zip reader.
 *
 * @return the archive's file-format version (the version record's leading decimal number)
 * @throws OpenMMException saying what is wrong
 */
std::uint64_t checkModelArchive(const std::string& bytes);

} // namespace TSFPlugin

#endif /*OPENMM_TSF_MODEL_ARCHIVE_H_*/
