#pragma once
// Where attempts check out their commit: WORK_DIR/workspaces/attempt-N, one fresh directory
// per attempt.

#include <cstddef>
#include <filesystem>

namespace fmg::agent {

/// The directory holding every attempt's workspace.
std::filesystem::path workspaces_directory(const std::filesystem::path& work_dir);

/// Removes every workspace under `work_dir`. For agent start: an earlier agent process's
/// attempts ended with it (the coordinator retries them elsewhere, in fresh workspaces), and
/// a workspace left behind would only fill the disk. Returns how many it removed; one it
/// cannot remove is logged and skipped.
size_t remove_leftover_workspaces(const std::filesystem::path& work_dir);

}  // namespace fmg::agent
