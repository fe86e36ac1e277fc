#pragma once
// Times that steps print for the latency scenarios: a step prints the wall-clock time with
// bash's $EPOCHREALTIME (a builtin, so printing it starts no process), and the bench compares
// it with its own reading of the same machine's clock.

#include <chrono>
#include <string>

namespace fmg::bench {

using WallTime = std::chrono::system_clock::time_point;

/// Shell text that expands to the time since the epoch in seconds with a fraction: bash's
/// $EPOCHREALTIME (microseconds), or `date +%s.%N` where the shell is not bash.
inline const std::string kShellEpochTime = "${EPOCHREALTIME:-$(date +%s.%N)}";

/// "1732387009.123456" (a comma instead of the dot, as some locales print it, is accepted) as
/// a time point. Fails the current test when the text is not in that form.
WallTime parse_epoch_seconds(std::string text);

/// `to - from` in milliseconds.
double millis_between(WallTime from, WallTime to);

}  // namespace fmg::bench
