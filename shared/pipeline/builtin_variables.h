#pragma once
// The variables fmg gives every job besides those of its config: CircleCI's built-in ones
// (CI, CIRCLECI, CIRCLE_*) and fmg's own (FMG_*_ID). The coordinator computes them when it
// sends a job (coordinator/domain/builtin_environment.h) and puts them in the assign's
// environment under the job's `environment`, which wins where both set a name (CircleCI's
// order of precedence). They are listed here, with the longest value each can have, because
// the parser counts them in a job's share of the assign frame (wire_fit.cpp) and in its
// environment's entries (kMaxMapEntries).

#include <array>
#include <cstddef>
#include <string_view>

#include "shared/pipeline/constants.h"
#include "shared/wire_limits.h"

namespace fmg::pipeline {

struct BuiltinVariable {
    std::string_view name;
    // The longest value, in bytes; kJobWorkingDirectory: as long as the job's
    // working_directory.
    std::size_t max_value_bytes;
};

/// max_value_bytes of a variable holding the job's working_directory as written.
inline constexpr std::size_t kJobWorkingDirectory = 0;
/// The most digits (and sign) of an int64 in decimal.
inline constexpr std::size_t kMaxIdDigits = 20;
/// A UUID's text: 8-4-4-4-12 hex digits.
inline constexpr std::size_t kUuidBytes = 36;
/// The longest owner and the longest name of a repository the coordinator gives a job: each
/// at most a name-like string of the protocol (GitHub's own are far shorter: 39 and 100).
inline constexpr std::size_t kMaxRepoPartBytes = wire::kMaxNameBytes;
/// `https://github.com/OWNER/NAME/pull/N`.
inline constexpr std::size_t kMaxPullRequestUrlBytes =
    std::string_view("https://github.com/").size() + kMaxRepoPartBytes + 1 + kMaxRepoPartBytes +
    std::string_view("/pull/").size() + kMaxIdDigits;

inline constexpr std::array<BuiltinVariable, 20> kBuiltinVariables{{
    {"CI", 4},
    {"CIRCLECI", 4},
    {"CIRCLE_BRANCH", wire::kMaxNameBytes},  // from the assign's ref
    {"CIRCLE_TAG", wire::kMaxNameBytes},
    {"CIRCLE_SHA1", wire::kMaxNameBytes},
    {"CIRCLE_BUILD_NUM", kMaxIdDigits},
    {"CIRCLE_JOB", kMaxJobNameBytes},  // a node's job's name, not the node's
    {"CIRCLE_WORKFLOW_ID", kUuidBytes},
    {"CIRCLE_PIPELINE_ID", kMaxIdDigits},
    {"CIRCLE_PROJECT_USERNAME", kMaxRepoPartBytes},
    {"CIRCLE_PROJECT_REPONAME", kMaxRepoPartBytes},
    {"CIRCLE_REPOSITORY_URL", wire::kMaxTextBytes},  // the assign's repo_url
    {"CIRCLE_WORKING_DIRECTORY", kJobWorkingDirectory},
    {"CIRCLE_PR_NUMBER", kMaxIdDigits},
    {"CIRCLE_PULL_REQUEST", kMaxPullRequestUrlBytes},
    {"CIRCLE_NODE_INDEX", kMaxParallelismDigits},
    {"CIRCLE_NODE_TOTAL", kMaxParallelismDigits},
    {"FMG_PIPELINE_ID", kMaxIdDigits},
    {"FMG_JOB_ID", kMaxIdDigits},
    {"FMG_ATTEMPT_ID", kMaxIdDigits},
}};

/// Most variables a job's config may set: the protocol's kMaxMapEntries less the built-in
/// ones, so the assign's environment fits even when none of the names overlap.
inline constexpr std::size_t kMaxJobEnvironmentEntries =
    wire::kMaxMapEntries - kBuiltinVariables.size();

}  // namespace fmg::pipeline
