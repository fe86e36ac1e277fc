#pragma once
// Files in the data dir that hold a secret (the CURVE key, the admin token, the secrets key):
// readable by their owner only from the first byte, replaced atomically.

#include <filesystem>
#include <string>

namespace fmg::coordinator {

/// Writes `content` to `path` with mode 0600 through a temp file and a rename, so a crash
/// leaves the old file or the new one, never half of one. Throws std::runtime_error with the
/// path when it cannot.
void write_private_file(const std::filesystem::path& path, const std::string& content);

/// The whole file. Throws std::runtime_error with the path when it cannot be read.
std::string read_whole_file(const std::filesystem::path& path);

}  // namespace fmg::coordinator
