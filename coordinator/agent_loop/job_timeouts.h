#pragma once
// The coordinator's side of the job timeout (`--job-timeout`): which attempts have run past
// it. The agent enforces the timeout first; this is the backstop for an agent that is stuck
// (or too old to know the limit), and it holds while a restarted coordinator waits for an
// agent that may never come back. Pure: time comes in as arguments (principles: injectable clock).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/agent_loop/attempt_deadlines.h"
#include "coordinator/store/rows.h"
#include "shared/clock.h"

namespace fmg::coordinator {

/// How much longer than the job timeout the coordinator waits before ending an attempt
/// itself, on top of the agent timeout. The agent's own result should arrive first, because
/// it carries the log line that says why the job ended: the agent needs to stop the step
/// (Docker kill and container removal, about 2 s), flush the log (50 ms) and send its
/// result. A connection that stalls delays that result by up to the agent timeout before
/// either side gives the session up, hence the grace is the agent timeout plus this.
constexpr Millis kJobTimeoutSlack{5000};

class JobTimeouts {
  public:
    /// `limit` is the job timeout (zero: none, nothing is ever due); an attempt is due
    /// `limit + grace` after it started.
    JobTimeouts(Millis limit, Millis grace) : limit_(limit), grace_(grace) {}

    bool enabled() const { return limit_ > Millis(0); }
    Millis limit() const { return limit_; }

    /// The attempt started at `started` (dispatched, or accepted by its agent). Tracking an
    /// attempt again moves its deadline. Does nothing when no limit is set.
    void track(AttemptId attempt, SteadyTime started);
    /// Stops tracking the attempt (it ended, or was lost and will be retried).
    void forget(AttemptId attempt) { deadlines_.erase(attempt); }

    /// The attempts due at `now` (deadline reached), in id order. Each is returned once:
    /// it is no longer tracked afterwards.
    std::vector<AttemptId> take_due(SteadyTime now) { return deadlines_.take_due(now); }
    /// The earliest deadline of a tracked attempt; nullopt when none is tracked.
    std::optional<SteadyTime> next_deadline() const { return deadlines_.next(); }
    /// When `attempt` is due; nullopt when it is not tracked.
    std::optional<SteadyTime> deadline_of(AttemptId attempt) const {
        return deadlines_.of(attempt);
    }

  private:
    Millis limit_;
    Millis grace_;
    AttemptDeadlines deadlines_;
};

/// The moment `wall_ms` (milliseconds since the epoch, as the database stores times) on
/// `clock`'s monotonic scale, e.g. the start of an attempt from before a restart.
SteadyTime steady_time_of(int64_t wall_ms, const Clock& clock);

}  // namespace fmg::coordinator
