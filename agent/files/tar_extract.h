#pragma once
// Unpacking a workspace layer or cache part: on the host (shell executor) with libarchive's
// guards on; and archives written again under other names (the renaming the docker executor
// needs to unpack one anywhere in a container, a cache part without its unsafe entries).

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "agent/files/tar_reader.h"
#include "shared/result.h"

namespace fmg::agent {

/// Unpacks `archive` into the folder `directory` (created if missing). libarchive refuses
/// `..` in names and will not write through a symbolic link (its SECURE flags), besides the
/// caller's own check of every entry (layer_entries.h). Fails with the reason.
Status extract_tar_into(const std::filesystem::path& archive,
                        const std::filesystem::path& directory);

/// Writes `archive` again as `copy`, each entry under the name `rename` gives it, or left out
/// when it gives none.
Status copy_tar(const std::filesystem::path& archive, const std::filesystem::path& copy,
                const std::function<std::optional<std::string>(const TarEntry&)>& rename);

/// Writes `archive` again as `copy` with `prefix` + "/" before every name (a symbolic link's
/// target stays as it is: it is relative).
Status copy_tar_with_prefix(const std::filesystem::path& archive, const std::string& prefix,
                            const std::filesystem::path& copy);

}  // namespace fmg::agent
