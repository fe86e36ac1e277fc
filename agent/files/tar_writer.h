#pragma once
// Writes a tar archive (pax) of a file or directory on the agent's host, for the shell
// executor's file steps (the docker executor gets its archives from Docker). libarchive walks
// the tree and writes the format; symbolic links are stored as links, never followed, so an
// archive holds only what is inside the tree.

#include <filesystem>

#include "shared/result.h"

namespace fmg::agent {

/// Archives `source` into `archive`, entries named from the source's last part as
/// `docker cp` names them ("out", "out/a.txt"; a file "a.txt" alone). Fails with
/// libarchive's reason.
Status write_tar_of(const std::filesystem::path& source, const std::filesystem::path& archive);

}  // namespace fmg::agent
