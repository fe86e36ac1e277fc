#pragma once
// Runner host names and labels, validated like DNS host names wherever they enter (the
// runners API, `fmg configure add-runner`): they are written into the agent's credentials
// file and shown in listings, so text like "a\nsecret_key: x" must never get in.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fmg {

/// Longest host name: DNS's limit for a name in text form (RFC 1035).
inline constexpr std::size_t kMaxHostNameLength = 253;
/// Longest dot-separated part of a host name, and longest runner label (RFC 1035).
inline constexpr std::size_t kMaxHostNamePartLength = 63;
/// Most labels on one runner: jobs ask for a few; more only bloats every dispatch check.
inline constexpr std::size_t kMaxRunnerLabels = 32;

/// nullopt when `name` is a host name: dot-separated parts of letters, digits and '-', each
/// 1 to kMaxHostNamePartLength characters, not starting or ending with '-', at most
/// kMaxHostNameLength in all. Otherwise a message saying what is wrong.
std::optional<std::string> host_name_problem(std::string_view name);

/// nullopt when `label` is a runner label: the characters of a host name and '.', '_'
/// (`x86_64`) and '/' (a CircleCI resource class, `myorg/my-runner`), 1 to
/// kMaxHostNamePartLength characters, not starting or ending with '-', '.' or '/'. Otherwise a
/// message.
std::optional<std::string> runner_label_problem(std::string_view label);

/// Runner labels as typed, "a,b" (`--labels`): split at commas with every item kept, so an
/// empty one ("a,,b") reaches runner_labels_problem instead of vanishing; no labels for an
/// empty text.
std::vector<std::string> split_runner_labels(std::string_view text);

/// nullopt when `text` is a list of at most kMaxRunnerLabels labels, each as
/// runner_label_problem allows. Otherwise a message.
std::optional<std::string> runner_labels_problem(std::string_view text);

}  // namespace fmg
