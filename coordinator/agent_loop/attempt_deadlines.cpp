#include "coordinator/agent_loop/attempt_deadlines.h"

namespace fmg::coordinator {

std::vector<AttemptId> AttemptDeadlines::take_due(SteadyTime now) {
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

std::optional<SteadyTime> AttemptDeadlines::next() const {
    std::optional<SteadyTime> next;
    for (const auto& [attempt, deadline] : deadlines_) {
        if (!next || deadline < *next) next = deadline;
    }
    return next;
}

std::optional<SteadyTime> AttemptDeadlines::of(AttemptId attempt) const {
    auto it = deadlines_.find(attempt);
    if (it == deadlines_.end()) return std::nullopt;
    return it->second;
}

}  // namespace fmg::coordinator
