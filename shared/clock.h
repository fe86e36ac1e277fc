#pragma once
// An injectable clock (docs/principles.md): liveness, timeouts and backoff read time through it, so
// unit tests advance a ManualClock instead of sleeping.

#include <chrono>
#include <cstdint>
#include <mutex>

namespace fmg {

using SteadyTime = std::chrono::steady_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
  public:
    virtual ~Clock() = default;
    /// Monotonic time, for deadlines and durations.
    virtual SteadyTime steady_now() const = 0;
    /// Wall-clock milliseconds since the epoch, for timestamps users see.
    virtual int64_t wall_ms() const = 0;
};

/// The real clocks of the machine.
class SystemClock final : public Clock {
  public:
    SteadyTime steady_now() const override { return std::chrono::steady_clock::now(); }
    int64_t wall_ms() const override;
};

/// A clock that moves only when told to; both readings advance together.
class ManualClock final : public Clock {
  public:
    SteadyTime steady_now() const override {
        std::lock_guard lock(mutex_);
        return steady_;
    }
    int64_t wall_ms() const override {
        std::lock_guard lock(mutex_);
        return wall_ms_;
    }
    void advance(Millis by) {
        std::lock_guard lock(mutex_);
        steady_ += by;
        wall_ms_ += by.count();
    }

  private:
    mutable std::mutex mutex_;
    SteadyTime steady_{};
    int64_t wall_ms_ = 1'700'000'000'000;
};

}  // namespace fmg
