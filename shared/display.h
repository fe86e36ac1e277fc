#pragma once
// How a person is shown a commit, a ref, a time and a duration: the CLI and the dashboard say
// them alike.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fmg {

/// A pipeline's commit is shown by this many leading hex digits.
inline constexpr size_t kShortShaLength = 7;

/// The first kShortShaLength characters of a commit id.
std::string short_sha(std::string_view sha);

/// A ref without `refs/heads/` or `refs/tags/`: "main", "v1.2"; other refs unchanged.
std::string short_ref(std::string_view ref);

/// Epoch milliseconds to whole seconds in UTC: `2024-06-01T12:00:00Z`.
std::string format_time_s(int64_t epoch_ms);

/// A duration for people: "0.4s", "12.3s", "3m40s", "2h05m"; negative counts as zero.
std::string format_duration(int64_t ms);

}  // namespace fmg
