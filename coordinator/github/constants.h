#pragma once
// Limits on the values that reach GitHub API URLs and repository fetches (docs/security.md,
// "Values that reach URLs, repository fetches, credentials").

#include <cstddef>

namespace fmg::coordinator::github {

/// GitHub's own limit on user and organisation names; a longer owner is no GitHub account,
/// only text an attacker wants in a URL.
constexpr std::size_t kMaxOwnerLength = 39;
/// GitHub's own limit on repository names.
constexpr std::size_t kMaxRepoNameLength = 100;
/// Longest ref accepted from a trigger or a webhook: git allows more, but a ref this long is
/// no branch a person named; the bound keeps stored rows and log lines small.
constexpr std::size_t kMaxRefLength = 255;
/// Longest repository URL accepted from a trigger: far beyond any real clone URL, and small
/// enough that a hostile one cannot bloat rows, logs and status texts.
constexpr std::size_t kMaxRepoUrlLength = 2048;
/// A commit sha as GitHub's status API takes it: 40 hex digits (SHA-1).
constexpr std::size_t kShaLength = 40;

}  // namespace fmg::coordinator::github
