#include "coordinator/core/job_timeouts.h"

namespace fmg::coordinator {

void JobTimeouts::track(AttemptId attempt, SteadyTime started) {
    if (!enabled()) return;
    deadlines_.set(attempt, started + limit_ + grace_);
}

SteadyTime steady_time_of(int64_t wall_ms, const Clock& clock) {
    return clock.steady_now() - Millis(clock.wall_ms() - wall_ms);
}

std::string job_timeout_message(Millis limit) {
    if (limit.count() % 1000 == 0) {
        return "job timed out after " + std::to_string(limit.count() / 1000) + " s";
    }
    return "job timed out after " + std::to_string(limit.count()) + " ms";
}

}  // namespace fmg::coordinator
