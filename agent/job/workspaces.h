#pragma once
// Where attempts check out their commit: WORK_DIR/workspaces/attempt-N, one fresh directory
// per attempt, removed when the attempt ends with whatever its steps left in it.

#include <cstddef>
#include <filesystem>

#include "shared/result.h"

namespace fmg::agent {

/// The directory holding every attempt's workspace.
std::filesystem::path workspaces_directory(const std::filesystem::path& work_dir);

/// Removes `workspace` and everything in it. A directory its owner locked (mode 000, no
/// write or search permission) is opened up (chmod u+rwx) on the way, so the agent removes
/// what its own user owns whatever the modes; files of other users (root's, from a Docker
/// job, when the agent is not root) need the executor to remove them first (a Docker
/// job execution does, as root in its container). Fails naming the first path it cannot remove;
/// a workspace already gone is fine.
Status remove_workspace(const std::filesystem::path& workspace);

/// Removes every workspace under `work_dir` (remove_workspace), and makes the workspaces
/// directory exist with mode 0700, so no other user of the host can reach what a job left
/// in a workspace (a setuid file, say) before it is removed. For agent start: an earlier
/// agent process's attempts ended with it (the coordinator retries them elsewhere, in fresh
/// workspaces), and a workspace left behind would only fill the disk. Returns how many it
/// removed; one it cannot remove is logged and skipped.
size_t remove_leftover_workspaces(const std::filesystem::path& work_dir);

}  // namespace fmg::agent
