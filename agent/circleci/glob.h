#pragma once
// `circleci tests glob PATTERN...`: the paths matching any of the patterns, as CircleCI's
// command prints them. A pattern is matched one path component at a time:
// - `*` any run of characters but `/`, `?` one such character, `[abc]`, `[a-z]`, `[!a]` or
//   `[^a]` one of (or none of) a set, `\x` the character x itself;
// - a component that is exactly `**` matches any number of directories, none included
//   (`**/*.txt` finds a.txt and x/y/a.txt); anywhere else `**` is `*`;
// - `{a,b}` alternatives, nested or not, are expanded first (`src/{a,b}/*.c`).
// Names starting with a dot are matched like any other (as CircleCI's matcher does). `**`
// does not descend into symbolic links to directories, so a link loop ends.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fmg::agent::circleci {

/// How many patterns one argument may expand to through its `{a,b}` alternatives.
inline constexpr std::size_t kMaxExpandedPatterns = 4096;

/// The patterns `pattern` stands for once its `{...,...}` groups are expanded, in order
/// (`a{b,c}d` is abd, acd). A `{` without a matching `}` is an ordinary character. Nullopt
/// when there would be more than kMaxExpandedPatterns.
std::optional<std::vector<std::string>> expand_braces(std::string_view pattern);

/// Whether the file name `name` (one component, no `/`) matches the component `pattern`.
bool match_component(std::string_view pattern, std::string_view name);

/// The existing paths (files, directories, anything) matching any of `patterns` (braces
/// already expanded), written as the pattern is: relative ones relative to `base` and
/// without it (`tests/**/*.txt` gives tests/a/b.txt), absolute ones absolute. Sorted
/// bytewise, each once. Directories that cannot be read are passed over.
std::vector<std::string> glob_paths(const std::vector<std::string>& patterns,
                                    const std::filesystem::path& base);

}  // namespace fmg::agent::circleci
