#pragma once
// Unpacking a workspace layer: on the host (shell executor) with libarchive's guards on, and
// the renaming the docker executor needs to unpack one anywhere in a container.

#include <filesystem>
#include <string>

#include "shared/result.h"

namespace fmg::agent {

/// Unpacks `archive` into the folder `directory` (created if missing). libarchive refuses
/// `..` in names and will not write through a symbolic link (its SECURE flags), besides the
/// caller's own check of every entry (layer_entries.h). Fails with the reason.
Status extract_tar_into(const std::filesystem::path& archive,
                        const std::filesystem::path& directory);

/// Writes `archive` again as `copy` with `prefix` + "/" before every name (a symbolic link's
/// target stays as it is: it is relative).
Status copy_tar_with_prefix(const std::filesystem::path& archive, const std::string& prefix,
                            const std::filesystem::path& copy);

}  // namespace fmg::agent
