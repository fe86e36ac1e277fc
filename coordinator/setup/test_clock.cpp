#include "coordinator/setup/test_clock.h"

#include <charconv>
#include <string>

#include "shared/time_format.h"

namespace fmg::coordinator {
namespace {

/// The system's clocks with the wall clock moved by a fixed offset.
class ShiftedClock final : public Clock {
  public:
    explicit ShiftedClock(int64_t offset_ms) : offset_ms_(offset_ms) {}
    SteadyTime steady_now() const override { return system_.steady_now(); }
    int64_t wall_ms() const override { return system_.wall_ms() + offset_ms_; }

  private:
    SystemClock system_;
    int64_t offset_ms_;
};

}  // namespace

Result<std::unique_ptr<Clock>> coordinator_clock(const options::EnvLookup& env) {
    const auto start = env(kTestWallClockEnv);
    if (!start) return std::unique_ptr<Clock>(std::make_unique<SystemClock>());
    int64_t start_ms = 0;
    const char* end = start->data() + start->size();
    const auto [parsed_to, error] = std::from_chars(start->data(), end, start_ms);
    if (start->empty() || error != std::errc() || parsed_to != end || start_ms < 0) {
        return Error{std::string(kTestWallClockEnv) +
                     " must be a time in epoch milliseconds, not \"" + *start + "\""};
    }
    return std::unique_ptr<Clock>(std::make_unique<ShiftedClock>(start_ms - wall_clock_ms()));
}

}  // namespace fmg::coordinator
