#pragma once
// The coordinator's clock, which integration tests may move: scheduled workflows fire at wall
// clock times (midnight UTC...), and a test cannot wait for them. Test-only; not an option
// (docs/testing.md).

#include <memory>

#include "shared/clock.h"
#include "shared/options.h"
#include "shared/result.h"

namespace fmg::coordinator {

/// The environment variable, epoch milliseconds, that starts the wall clock at that time.
inline constexpr const char* kTestWallClockEnv = "FMG_TEST_WALL_CLOCK_MS";

/// The system's clocks; with kTestWallClockEnv set, a wall clock that reads that time at the
/// start and then advances as the system's (the steady clock is the system's either way).
/// Fails on a value that is not a number of milliseconds.
Result<std::unique_ptr<Clock>> coordinator_clock(const options::EnvLookup& env);

}  // namespace fmg::coordinator
