#pragma once
// The store_artifacts and store_test_results steps (docs/files.md): the files at the step's
// path in the job are uploaded one by one, as artifacts named under its destination, or as
// JUnit reports (the `.xml` files) the coordinator reads.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "agent/executor/executor.h"
#include "protocol/messages.h"
#include "shared/result.h"

namespace fmg::agent {

/// Uploads one file as the artifact `path` and waits until the coordinator stored it.
using UploadArtifact =
    std::function<Status(const std::filesystem::path& file, const std::string& path, uint64_t size,
                         const std::string& sha256)>;

/// Where the artifacts of `path` go when the step names no destination: the path as written,
/// without a leading `~/` or `/` ("~/project/out" -> "project/out"), as CircleCI lists them.
std::string default_artifact_destination(const std::string& path);

/// Runs the step: archives `step.paths[0]` from the job into `spool_dir`, then uploads each
/// file in it (symbolic links and other non-files are skipped with a line in `output`). A
/// path where nothing is succeeds with a line saying so, as on CircleCI. Fails with the
/// reason: a name that would leave the artifacts' directory, an upload the coordinator
/// refused, a file the agent cannot read.
Status store_artifacts(JobExecution& execution, const protocol::StepSpec& step,
                       const std::filesystem::path& spool_dir, const UploadArtifact& upload,
                       const OutputSink& output);

/// Runs a store_test_results step: as store_artifacts, for the files whose names end in
/// `.xml` (a file named by the path itself whatever its name), each named by its path inside
/// the step's path. Fails when the coordinator cannot read one as JUnit XML.
Status store_test_results(JobExecution& execution, const protocol::StepSpec& step,
                          const std::filesystem::path& spool_dir, const UploadArtifact& upload,
                          const OutputSink& output);

}  // namespace fmg::agent
