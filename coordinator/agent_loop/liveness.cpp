#include "coordinator/agent_loop/liveness.h"

namespace fmg::coordinator {

void AgentLiveness::heard(const std::string& routing_id, SteadyTime now) {
    last_heard_[routing_id] = now;
}

void AgentLiveness::forget(const std::string& routing_id) {
    last_heard_.erase(routing_id);
}

std::vector<std::string> AgentLiveness::silent(SteadyTime now) const {
    std::vector<std::string> silent;
    for (const auto& [routing_id, last] : last_heard_) {
        if (now - last > timeout_) silent.push_back(routing_id);
    }
    return silent;
}

Millis AgentLiveness::silence(const std::string& routing_id, SteadyTime now) const {
    auto it = last_heard_.find(routing_id);
    if (it == last_heard_.end()) return Millis(0);
    return std::chrono::duration_cast<Millis>(now - it->second);
}

std::optional<SteadyTime> AgentLiveness::next_deadline() const {
    std::optional<SteadyTime> next;
    for (const auto& [routing_id, last] : last_heard_) {
        // Silent means "longer than the timeout": the first such moment is a tick later.
        SteadyTime deadline = last + timeout_ + Millis(1);
        if (!next || deadline < *next) next = deadline;
    }
    return next;
}

bool RestartGrace::expire(SteadyTime now) {
    if (expired_ || now < until_) return false;
    expired_ = true;
    return true;
}

std::optional<SteadyTime> RestartGrace::deadline() const {
    if (expired_) return std::nullopt;
    return until_;
}

}  // namespace fmg::coordinator
