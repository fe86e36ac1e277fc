#include "coordinator/core/assign_timeouts.h"

#include <algorithm>

#include "coordinator/constants.h"

namespace fmg::coordinator {

Millis assign_timeout(Millis agent_timeout) {
    return std::max(agent_timeout, Millis(kMinAssignTimeout));
}

void AssignTimeouts::sent(AttemptId attempt, SteadyTime now) {
    deadlines_[attempt] = now + timeout_;
}

void AssignTimeouts::answered(AttemptId attempt) {
    deadlines_.erase(attempt);
}

std::vector<AttemptId> AssignTimeouts::take_due(SteadyTime now) {
    std::vector<AttemptId> due;
    for (auto it = deadlines_.begin(); it != deadlines_.end();) {
        if (now >= it->second) {
            due.push_back(it->first);
            it = deadlines_.erase(it);
        } else {
            ++it;
        }
    }
    return due;
}

std::optional<SteadyTime> AssignTimeouts::next_deadline() const {
    std::optional<SteadyTime> next;
    for (const auto& [attempt, deadline] : deadlines_) {
        if (!next || deadline < *next) next = deadline;
    }
    return next;
}

}  // namespace fmg::coordinator
