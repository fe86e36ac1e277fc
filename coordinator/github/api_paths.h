#pragma once
// The paths of the GitHub API requests fmg makes, with every part percent-encoded. The values
// in them are validated where they enter (names.h); encoding them again here is the second
// line of defence, so that no stored value can add a path segment or a query to a request
// that carries the GitHub token.

#include <string>
#include <string_view>

namespace fmg::coordinator::github {

/// `part` percent-encoded for use as one path segment: every character but letters, digits,
/// '-', '.', '_' and '~' is escaped ('/' and '?' included).
std::string encode_path_segment(std::string_view part);

/// The path of a commit status post, `BASE/repos/OWNER/NAME/statuses/SHA`, where `base_path`
/// is the path of --github-api-url ("" for api.github.com, "/api/v3" for GitHub Enterprise)
/// and `repo` is "owner/name" (split at its first '/'; each part and the sha are encoded).
std::string status_path(std::string_view base_path, std::string_view repo, std::string_view sha);

}  // namespace fmg::coordinator::github
