#pragma once
// The scheduler's timing.

#include <chrono>

namespace fmg::coordinator {

/// Longest the scheduler sleeps without looking at the wall clock again: a clock step (NTP, a
/// resumed VM) delays a fire time by at most this.
inline constexpr std::chrono::milliseconds kMaxSchedulerSleep{30'000};

}  // namespace fmg::coordinator
