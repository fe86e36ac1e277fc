#pragma once
// One deadline per attempt, the bookkeeping every per-attempt timer of the loop shares (the
// job timeout's backstop, the wait for an assign's answer). Pure: time comes in as
// arguments, so unit tests drive it with a ManualClock.

#include <map>
#include <optional>
#include <vector>

#include "coordinator/store/rows.h"
#include "shared/clock.h"

namespace fmg::coordinator {

class AttemptDeadlines {
  public:
    /// `attempt` is due at `deadline`; setting it again moves the deadline.
    void set(AttemptId attempt, SteadyTime deadline) { deadlines_[attempt] = deadline; }
    /// No longer tracked; does nothing for an attempt not tracked.
    void erase(AttemptId attempt) { deadlines_.erase(attempt); }
    /// Whether `attempt` is tracked.
    bool contains(AttemptId attempt) const { return deadlines_.count(attempt) > 0; }

    /// The attempts due at `now` (deadline reached), in id order; each is returned once and
    /// is no longer tracked afterwards.
    std::vector<AttemptId> take_due(SteadyTime now);
    /// The earliest deadline; nullopt when nothing is tracked.
    std::optional<SteadyTime> next() const;
    /// When `attempt` is due; nullopt when it is not tracked.
    std::optional<SteadyTime> of(AttemptId attempt) const;

  private:
    std::map<AttemptId, SteadyTime> deadlines_;
};

}  // namespace fmg::coordinator
