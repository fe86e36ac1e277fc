#pragma once
// Branch and tag names in workflow filters: exact names, or `/regex/` matching the whole name.
// Internal to shared/pipeline/.

#include <cstddef>
#include <optional>
#include <regex>
#include <string>
#include <string_view>

#include "shared/result.h"

namespace fmg::pipeline::detail {

/// One value of `only:` or `ignore:`.
class NamePattern {
  public:
    /// `/.../` (at least one character between the slashes) is a regular expression (ECMAScript,
    /// as close to CircleCI's Java regexes as std::regex gets) that must match the whole name;
    /// anything else is an exact name. Fails on a regex that does not compile or is too costly
    /// (longer than kMaxFilterRegexLength, more than kMaxRegexStates states); `states` receives
    /// its estimated size, 0 for an exact name.
    static Result<NamePattern> parse(std::string_view text, std::size_t& states);

    /// Whether `name` is the exact name, or matches the regex entirely.
    bool matches(std::string_view name) const;

  private:
    std::string exact_;
    std::optional<std::regex> regex_;
};

/// An upper estimate of the automaton states std::regex builds for `pattern`, counting the
/// copies `{n,m}` makes of what it repeats (nested repeats multiply). Saturates at 1e9.
std::size_t estimate_regex_states(std::string_view pattern);

}  // namespace fmg::pipeline::detail
