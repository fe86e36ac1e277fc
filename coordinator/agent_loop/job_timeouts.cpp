#include "coordinator/agent_loop/job_timeouts.h"

namespace fmg::coordinator {

void JobTimeouts::track(AttemptId attempt, SteadyTime started) {
    if (!enabled()) return;
    deadlines_.set(attempt, started + limit_ + grace_);
}

SteadyTime steady_time_of(int64_t wall_ms, const Clock& clock) {
    return clock.steady_now() - Millis(clock.wall_ms() - wall_ms);
}

}  // namespace fmg::coordinator
