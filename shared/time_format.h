#pragma once
// Wall-clock times as the API shows them: RFC 3339 UTC with milliseconds.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fmg {

/// Milliseconds since the Unix epoch, from the system clock.
int64_t wall_clock_ms();

/// Formats epoch milliseconds as `2026-11-22T12:00:00.123Z`.
std::string format_rfc3339_ms(int64_t epoch_ms);

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff]Z`; nullopt when the text is not in that form.
std::optional<int64_t> parse_rfc3339_ms(std::string_view text);

}  // namespace fmg
