#pragma once
// Each shell job's scratch directory, WORK_DIR/shell-scratch/attempt-N: what its steps see at
// the agent's work dir instead of the real one (shell_step_sandbox.h). It holds the mount
// point of the job's workspace and, when the agent's home is in the work dir, the steps'
// home, so files a step writes there last for the job's later steps and are removed with it.
// The blank file that covers hidden files, WORK_DIR/shell-scratch/blank, is here too.

#include <cstdint>
#include <filesystem>
#include <vector>

#include "shared/result.h"

namespace fmg::agent {

/// Whether `path` is `directory` or under it, compared lexically (both absolute).
bool path_is_within(const std::filesystem::path& path, const std::filesystem::path& directory);

/// WORK_DIR/shell-scratch.
std::filesystem::path scratch_root(const std::filesystem::path& work_dir);

/// WORK_DIR/shell-scratch/attempt-N.
std::filesystem::path scratch_directory(const std::filesystem::path& work_dir, int64_t attempt);

/// Makes sure WORK_DIR/shell-scratch/blank is an empty regular file of mode 0000 owned by
/// this process's user, and returns its path. Fails with the OS error.
Result<std::filesystem::path> ensure_blank_file(const std::filesystem::path& work_dir);

/// Creates the attempt's scratch directory afresh (mode kScratchDirectoryMode), with each
/// of `inside` (paths relative to the work dir: the workspace's mount point, the home) as a
/// directory in it. Fails with the OS error.
Result<std::filesystem::path> create_scratch(const std::filesystem::path& work_dir, int64_t attempt,
                                             const std::vector<std::filesystem::path>& inside);

/// Removes `path` and everything in it, whatever modes a step gave what it made there
/// (directories are made accessible before they are read). Returns false when something
/// could not be removed.
bool remove_tree(const std::filesystem::path& path);

/// Removes each `attempt-N` entry of `root` whose N is not in `keep` (remove_tree), and any
/// other `attempt-` entry. Returns how many it removed.
size_t remove_attempt_directories(const std::filesystem::path& root,
                                  const std::vector<int64_t>& keep);

/// Removes the scratch directories of attempts not in `keep` (an earlier agent process's).
/// Returns how many it removed.
size_t remove_leftover_scratch(const std::filesystem::path& work_dir,
                               const std::vector<int64_t>& keep);

}  // namespace fmg::agent
