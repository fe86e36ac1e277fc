#pragma once
// CircleCI durations, as in `no_output_timeout: 10m`.

#include <cstdint>
#include <string_view>

#include "shared/result.h"

namespace fmg::pipeline {

/// Parses a duration written as CircleCI (and Go) do: one or more decimal numbers, each with a
/// unit `h`, `m`, `s` or `ms`: "30s", "10m", "1.5h", "1h30m", "250ms". A number without a unit
/// is refused (CircleCI reads none), as are signs, spaces and unknown units. Fractions of a
/// millisecond are dropped. Fails with a message naming the problem; durations beyond a year
/// are refused as too large.
Result<int64_t> parse_duration_ms(std::string_view text);

}  // namespace fmg::pipeline
