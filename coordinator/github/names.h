#pragma once
// Validation of the values that end up in GitHub API URLs or repository fetches: commit shas,
// refs, repository owners and names, clone URLs. Each is checked where it enters (the API's
// manual trigger, webhook payloads), so a value like "../../user/keys?x=" never reaches
// a URL built with the GitHub token (docs/security.md). Every check returns nullopt when
// the value is acceptable, else a message for a 400 answer that names what is wrong.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fmg::coordinator::github {

/// Whether `sha` is exactly 40 hex digits.
bool is_commit_sha(std::string_view sha);

/// A GitHub owner or repository name part: letters, digits, '-', '_', '.', not "." or "..",
/// at most `max_length` characters. `what` names it in the message.
std::optional<std::string> name_part_problem(std::string_view part, std::string_view what,
                                             std::size_t max_length);

/// "owner/name" as GitHub allows it (name_part_problem for each, kMaxOwnerLength and
/// kMaxRepoNameLength).
std::optional<std::string> full_name_problem(std::string_view full_name);

/// Whether `full_name` is owner/name as GitHub allows it (full_name_problem finds nothing).
bool is_full_name(std::string_view full_name);

/// Whether two repository names are the same repository (GitHub compares them ignoring
/// case).
bool same_repo(std::string_view a, std::string_view b);

/// Whether `repo` is one of `list` (same_repo).
bool repo_listed(std::string_view repo, const std::vector<std::string>& list);

/// A ref as `git check-ref-format` allows it (no "..", no control characters, space, '~',
/// '^', ':', '?', '*', '[', '\\', no "@{", no component starting with '.' or ending with
/// ".lock", no empty component, not ending with '.' or '/'), at most kMaxRefLength bytes.
std::optional<std::string> ref_problem(std::string_view ref);

/// A clone URL a manual trigger may name: https://, http://, ssh:// (or git+ssh://),
/// git://, or scp-like user@host:path; no credentials in it (a token belongs in
/// FMG_GIT_TOKEN, not in a row every API reader sees), no spaces or control characters, at
/// most kMaxRepoUrlLength bytes. Local paths and file:// are refused: they would let an API
/// caller read repositories on the coordinator's own disk.
std::optional<std::string> repo_url_problem(std::string_view url);

}  // namespace fmg::coordinator::github
