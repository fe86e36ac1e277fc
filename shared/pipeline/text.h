#pragma once
// Small text helpers for the config parser's names and messages. Internal to shared/pipeline/.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "shared/text.h"

namespace fmg::pipeline::detail {

/// Whether `c` is `0`-`9` (std::isdigit depends on the locale and takes int).
constexpr bool is_ascii_digit(char c) {
    return c >= '0' && c <= '9';
}

/// At most `max_bytes` of `text`, cut before a UTF-8 sequence rather than inside one.
std::string truncate_utf8(std::string_view text, std::size_t max_bytes);

/// A name from the config in backquotes for a message: control characters shown as `?` and
/// long names cut to 64 bytes with `...`, so hostile input cannot flood a message.
std::string quoted(std::string_view text);

/// The first non-blank line of `text`, trimmed of surrounding whitespace.
std::string first_line(std::string_view text);

/// The names in a message's list of choices: "command, name or shell" (also `and`, and
/// `backquoted` names) gives command, name, shell.
std::vector<std::string> listed_names(std::string_view list);

/// How many edits make `a` into `b`: insertions, deletions, substitutions and swaps of
/// neighbours (the optimal string alignment distance), ignoring case and treating `-` and `_`
/// alike. Costs |a| x |b|: callers bound their inputs.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// " (did you mean `X`?)" for the candidate closest to a mistyped `name` (a typo, a swap, a
/// `-` for a `_`, another case), or "" when none is close: at most a third of the name's
/// letters differ, and at least one letter is the same.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace fmg::pipeline::detail
