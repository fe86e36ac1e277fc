#include "coordinator/core/job_timeouts.h"

namespace fmg::coordinator {

void JobTimeouts::track(AttemptId attempt, SteadyTime started) {
    if (!enabled()) return;
    deadlines_[attempt] = started + limit_ + grace_;
}

void JobTimeouts::forget(AttemptId attempt) {
    deadlines_.erase(attempt);
}

std::vector<AttemptId> JobTimeouts::take_due(SteadyTime now) {
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

std::optional<SteadyTime> JobTimeouts::next_deadline() const {
    std::optional<SteadyTime> next;
    for (const auto& [attempt, deadline] : deadlines_) {
        if (!next || deadline < *next) next = deadline;
    }
    return next;
}

std::optional<SteadyTime> JobTimeouts::deadline_of(AttemptId attempt) const {
    auto it = deadlines_.find(attempt);
    if (it == deadlines_.end()) return std::nullopt;
    return it->second;
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
