#pragma once
// Repository names as GitHub allows them (owner/name). A name that reaches a URL, a flag or
// a status description is checked here first, so text GitHub would never send is refused.

#include <string>
#include <string_view>
#include <vector>

namespace fmg::coordinator {

/// Whether `full_name` is OWNER/NAME as GitHub allows: OWNER 1 to kMaxGitHubOwnerLength
/// letters, digits or hyphens, not starting with a hyphen; NAME 1 to kMaxGitHubRepoNameLength
/// letters, digits, '.', '_' or '-', and neither "." nor "..".
bool is_github_full_name(std::string_view full_name);

/// Whether two repository names are the same repository (GitHub compares them ignoring
/// case).
bool same_github_repo(std::string_view a, std::string_view b);

/// Whether `repo` is one of `list` (same_github_repo).
bool github_repo_listed(std::string_view repo, const std::vector<std::string>& list);

}  // namespace fmg::coordinator
