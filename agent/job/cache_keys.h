#pragma once
// CircleCI's cache key templates (docs/files.md), rendered on the runner because
// `{{ checksum "file" }}` reads a file of the job: `{{ .Branch }}`, `{{ .Revision }}`,
// `{{ .BuildNum }}`, `{{ .Environment.NAME }}`, `{{ checksum "path" }}`, `{{ epoch }}` and
// `{{ arch }}`. Anything else between braces is refused with the template named, so a typo
// never silently becomes part of a key.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "shared/result.h"

namespace fmg::agent {

struct CacheKeyContext {
    // The job's variables (its own over the built-in CIRCLE_* ones): .Branch is CIRCLE_BRANCH,
    // .Revision CIRCLE_SHA1, .BuildNum CIRCLE_BUILD_NUM, .Environment.NAME any of them.
    std::map<std::string, std::string> environment;
    // `{{ checksum "path" }}`: CircleCI's base64 SHA-256 of the file's bytes, or why not.
    std::function<Result<std::string>(const std::string& path)> checksum;
    int64_t epoch_seconds = 0;  // `{{ epoch }}`
    std::string arch;           // `{{ arch }}`, from cache_arch()
};

/// Renders the key template. Fails naming the template when it is unknown or unclosed, when
/// a checksum cannot be read, and when the key comes out empty, longer than
/// kMaxCacheKeyBytes or holding a control character.
Result<std::string> render_cache_key(std::string_view key, const CacheKeyContext& context);

/// `{{ arch }}` on this runner: "arch1-linux-" and the CPU as Go names it (amd64, arm64, ...),
/// so a cache of one architecture is not restored on another.
std::string cache_arch();

}  // namespace fmg::agent
