#pragma once
// Which assignments an agent has left unanswered for too long. An agent answers every `assign`
// with `accepted` or `refused` as soon as it reads it (PROTOCOL.md 10.1); one that says
// neither while its session lives has dropped the frame (a frame it could not decode, a
// bug), and the attempt would hold a slot of that runner until --job-timeout (an hour by
// default). The loop ends such an attempt `lost`, which requeues the job. Pure: time comes
// in as arguments (principles: injectable clock), so unit tests drive it with a ManualClock.

#include <optional>
#include <vector>

#include "coordinator/agent_loop/attempt_deadlines.h"
#include "coordinator/store/rows.h"
#include "shared/clock.h"

namespace fmg::coordinator {

/// How long an agent has to answer an assign: the agent timeout, but never less than
/// kMinAssignTimeout. A live session carries the answer within the agent timeout (a link
/// slower than that ends the session anyway, PROTOCOL.md 7.3); the floor leaves room for a
/// loaded agent host with a short --agent-timeout.
Millis assign_timeout(Millis agent_timeout);

class AssignTimeouts {
  public:
    explicit AssignTimeouts(Millis timeout) : timeout_(timeout) {}

    Millis timeout() const { return timeout_; }

    /// The assign of `attempt` was sent at `now`: it is due `timeout()` later.
    void sent(AttemptId attempt, SteadyTime now);
    /// The agent answered for the attempt (any message about it shows it holds it), or the
    /// attempt ended: no longer tracked. Does nothing for an attempt not tracked.
    void answered(AttemptId attempt) { deadlines_.erase(attempt); }

    /// The attempts unanswered at `now` (deadline reached), in id order; each is returned
    /// once and no longer tracked afterwards.
    std::vector<AttemptId> take_due(SteadyTime now) { return deadlines_.take_due(now); }
    /// The earliest deadline; nullopt when nothing is tracked.
    std::optional<SteadyTime> next_deadline() const { return deadlines_.next(); }
    /// Whether `attempt` still waits for its answer.
    bool waiting(AttemptId attempt) const { return deadlines_.contains(attempt); }

  private:
    Millis timeout_;
    AttemptDeadlines deadlines_;
};

}  // namespace fmg::coordinator
