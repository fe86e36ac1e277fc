#pragma once
// persist_to_workspace and attach_workspace on the agent (docs/files.md): a persist step
// packs the files its `paths` select under its `root` into one tar, a layer, and uploads it;
// an attach step fetches the layers of the jobs its job requires, oldest first, checks every
// entry, and unpacks them at `at`.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "agent/executor/executor.h"
#include "protocol/messages.h"
#include "shared/result.h"

namespace fmg::agent {

/// Uploads a layer file and waits until the coordinator stored it.
using UploadLayer = std::function<Status(const std::filesystem::path& file, uint64_t size,
                                         const std::string& sha256)>;
/// Fetches the blob `sha256` into `file` and waits until it is there (its digest checked).
using FetchLayer =
    std::function<Status(const std::string& sha256, const std::filesystem::path& file)>;

/// Runs a persist_to_workspace step. Fails when a path selects nothing, names a place outside
/// the root, or selects an entry that could not be restored safely (a symbolic link out of
/// the workspace), and when the upload fails.
Status persist_to_workspace(JobExecution& execution, const protocol::StepSpec& step,
                            const std::filesystem::path& spool_dir, const UploadLayer& upload,
                            const OutputSink& output);

/// Runs an attach_workspace step. Fails when there are no layers (no job it requires
/// persisted one), when a layer cannot be fetched, or holds an entry that would leave `at`
/// (nothing of that layer is unpacked).
Status attach_workspace(JobExecution& execution, const protocol::StepSpec& step,
                        const std::filesystem::path& spool_dir, const FetchLayer& fetch,
                        const OutputSink& output);

/// The SHA-256 and size of a file, read in pieces.
Result<std::pair<std::string, uint64_t>> file_digest(const std::filesystem::path& file);

}  // namespace fmg::agent
