#pragma once
// What may go into, and come out of, a workspace layer (docs/files.md): which entries a
// persist_to_workspace pattern selects (Go's filepath.Match part by part, as CircleCI reads
// `paths`), and which entries could leave the directory they are restored into.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "agent/files/tar_reader.h"

namespace fmg::agent {

/// Why `entry` must not be restored: a name that leaves the directory (shared/safe_path.h), a
/// symbolic link whose target is absolute or climbs out of it, a hard link to such a name.
/// Nothing when it is safe.
std::optional<std::string> unsafe_entry_reason(const TarEntry& entry);

/// The first entry of the tar at `archive` that must not be restored, as unsafe_entry_reason
/// says it; nothing when every entry is safe. Fails on a damaged archive. (Read whole before
/// anything of it is unpacked: a layer or cache part is restored whole or not at all.)
Result<std::optional<std::string>> first_unsafe_entry(const std::filesystem::path& archive);

/// Whether the relative `path` is selected by the persist_to_workspace pattern: its first
/// parts match the pattern's parts (`*`, `?`, `[...]` within a part; `.` selects everything),
/// and everything under a selected directory is selected too.
bool pattern_selects(std::string_view pattern, std::string_view path);

/// The pattern's leading parts without glob characters ("build/*.jar" -> "build", "dist" ->
/// "dist", "*" -> ""): the one path that holds everything it can select.
std::string literal_prefix(std::string_view pattern);

}  // namespace fmg::agent
