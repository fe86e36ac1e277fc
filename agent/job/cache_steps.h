#pragma once
// save_cache and restore_cache on the agent (docs/files.md). A cache is one part per saved
// path: the tar of that path as `docker cp` names it, uploaded with the place it was saved
// from (its parent, as the step named it: relative to the working directory, under `~`, or
// absolute), so a runner with another workspace or home restores it where its own job has
// that path. Keys are rendered here (cache_keys.h); the coordinator scopes caches by
// repository and never replaces one.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "agent/executor/executor.h"
#include "agent/job/cache_keys.h"
#include "agent/job/workspace_steps.h"
#include "protocol/messages.h"
#include "shared/result.h"

namespace fmg::agent {

/// Asks the coordinator for a cache (`exact`: the one named keys[0]; else CircleCI's prefix
/// look-up) and waits for the answer.
using FindCache =
    std::function<Result<protocol::CacheAnswer>(const std::vector<std::string>& keys, bool exact)>;
/// Uploads one part, to be unpacked at `place`, and waits until it is stored; its upload id.
using UploadCachePart =
    std::function<Result<uint64_t>(const std::filesystem::path& file, const std::string& place,
                                   uint64_t size, const std::string& sha256)>;
/// Asks the coordinator to store the cache `key` made of the uploads, and waits.
using SaveCache = std::function<Result<protocol::CacheAnswer>(
    const std::string& key, const std::vector<uint64_t>& upload_ids)>;

/// Where a saved path goes back: the place that holds it and its last part, as the step named
/// them ("node_modules" -> {".", ...}, "~/.m2" -> {"~", ...}, "/go/pkg" -> {"/go", ...}).
/// Fails for a path with no place above it (".", "~", "/", empty).
Result<std::string> cache_place(const std::string& path);

/// `{{ checksum "path" }}`: CircleCI's base64 SHA-256 of the bytes of the file at `path` in
/// the job, read through `scratch` (a tar the executor writes).
Result<std::string> checksum_in_job(JobExecution& execution, const std::string& path,
                                    const std::filesystem::path& scratch);

/// Runs a save_cache step: renders the key; when a cache of that key exists, says so and
/// succeeds (caches are never overwritten); otherwise uploads each path that exists (an
/// entry that could not be restored safely, such as a link pointing out, is left out with a
/// line) and stores them as the cache. A step whose paths are all missing succeeds with a
/// line saying nothing was saved, as on CircleCI.
Status save_cache(JobExecution& execution, const protocol::StepSpec& step,
                  const CacheKeyContext& context, const std::filesystem::path& spool_dir,
                  const FindCache& find, const UploadCachePart& upload, const SaveCache& save,
                  const OutputSink& output);

/// Runs a restore_cache step: renders each key (one that cannot be rendered is skipped with
/// a line), asks for the newest cache matching the first key that matches one, fetches each
/// part, checks every entry, then unpacks it where it was saved from. No match succeeds with
/// a line, as on CircleCI. Fails when a part cannot be fetched or holds an entry that would
/// leave its place (nothing of that part is unpacked).
Status restore_cache(JobExecution& execution, const protocol::StepSpec& step,
                     const CacheKeyContext& context, const std::filesystem::path& spool_dir,
                     const FindCache& find, const FetchLayer& fetch, const OutputSink& output);

}  // namespace fmg::agent
