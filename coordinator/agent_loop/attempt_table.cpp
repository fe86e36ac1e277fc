#include "coordinator/agent_loop/attempt_table.h"

namespace fmg::coordinator {

AttemptTable::AttemptTable(Millis agent_timeout, JobTimeouts job_timeouts,
                           AssignTimeouts assign_timeouts)
    : liveness_(agent_timeout),
      job_timeouts_(std::move(job_timeouts)),
      assign_timeouts_(std::move(assign_timeouts)) {}

std::optional<std::string> AttemptTable::open(AgentSession session, SteadyTime now) {
    std::optional<std::string> replaced;
    if (auto old = session_of_runner_.find(session.runner_id);
        old != session_of_runner_.end() && old->second != session.routing_id) {
        replaced = old->second;
        liveness_.forget(old->second);
        sessions_.erase(old->second);
    }
    const std::string routing_id = session.routing_id;
    session_of_runner_[session.runner_id] = routing_id;
    sessions_[routing_id] = std::move(session);
    liveness_.heard(routing_id, now);
    return replaced;
}

AgentSession* AttemptTable::find(const std::string& routing_id) {
    auto it = sessions_.find(routing_id);
    return it == sessions_.end() ? nullptr : &it->second;
}

AgentSession* AttemptTable::session_of(RunnerId runner) {
    auto it = session_of_runner_.find(runner);
    return it == session_of_runner_.end() ? nullptr : find(it->second);
}

std::vector<std::pair<std::string, Millis>> AttemptTable::silent(SteadyTime now) const {
    std::vector<std::pair<std::string, Millis>> silent;
    for (const std::string& routing_id : liveness_.silent(now)) {
        silent.emplace_back(routing_id, liveness_.silence(routing_id, now));
    }
    return silent;
}

std::optional<AgentSession> AttemptTable::lose(std::string routing_id) {
    liveness_.forget(routing_id);
    auto it = sessions_.find(routing_id);
    if (it == sessions_.end()) return std::nullopt;
    AgentSession session = std::move(it->second);
    sessions_.erase(it);
    if (auto owner = session_of_runner_.find(session.runner_id);
        owner != session_of_runner_.end() && owner->second == routing_id) {
        session_of_runner_.erase(owner);
    }
    for (AttemptId attempt : session.attempts) release(attempt);
    return session;
}

void AttemptTable::assign(AttemptId attempt, AgentSession& session, SteadyTime now) {
    session.attempts.insert(attempt);
    owner_of_attempt_[attempt] = session.runner_id;
    job_timeouts_.track(attempt, now);
    assign_timeouts_.sent(attempt, now);
}

void AttemptTable::keep(AttemptId attempt, AgentSession& session) {
    assign_timeouts_.answered(attempt);
    session.attempts.insert(attempt);
    owner_of_attempt_[attempt] = session.runner_id;
}

AgentSession* AttemptTable::release(AttemptId attempt) {
    AgentSession* owner = nullptr;
    if (auto it = owner_of_attempt_.find(attempt); it != owner_of_attempt_.end()) {
        owner = session_of(it->second);
        owner_of_attempt_.erase(it);
    }
    if (owner != nullptr) owner->attempts.erase(attempt);
    job_timeouts_.forget(attempt);
    assign_timeouts_.answered(attempt);
    return owner;
}

AgentSession* AttemptTable::time_out(AttemptId attempt) {
    timed_out_here_.insert(attempt);
    return release(attempt);
}

std::optional<RunnerId> AttemptTable::owner_of(AttemptId attempt) const {
    auto it = owner_of_attempt_.find(attempt);
    if (it == owner_of_attempt_.end()) return std::nullopt;
    return it->second;
}

}  // namespace fmg::coordinator
