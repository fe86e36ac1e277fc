// Dispatch (push: a free slot and a queued job meet as soon as either appears) and the
// consequences of losing an agent.

#include "coordinator/constants.h"
#include "coordinator/core/core.h"
#include "coordinator/domain/job_spec.h"
#include "coordinator/store/pipeline_store.h"
#include "coordinator/store/runner_store.h"
#include "shared/log.h"

namespace fmg::coordinator {

AgentSession* Core::pick_session() {
    // The agent with the most free slots, so independent jobs spread over runners.
    AgentSession* best = nullptr;
    for (auto& [routing_id, session] : sessions_) {
        if (session.draining || session.free_slots() == 0) continue;
        if (best == nullptr || session.free_slots() > best->free_slots()) best = &session;
    }
    return best;
}

void Core::dispatch() {
    if (pick_session() == nullptr) return;
    for (const JobRow& job : pipelines::queued_jobs(db_, kDispatchBatch)) {
        AgentSession* session = pick_session();
        if (session == nullptr) return;
        auto pipeline = pipelines::find(db_, job.pipeline_id);
        if (!pipeline) continue;
        auto spec = job_spec_from_json(job.spec);
        auto dispatched =
            lifecycle::dispatch_job(db_, job.id, session->runner_id, clock_.wall_ms());
        if (!dispatched) continue;
        if (!spec) {
            // Cannot happen unless the database was edited by hand; end the attempt clearly.
            lifecycle::finish_attempt(db_, status_context_, dispatched->attempt_id,
                                      AttemptState::error, spec.error().message, clock_.wall_ms());
            continue;
        }
        session->attempts.insert(dispatched->attempt_id);
        runner_of_attempt_[dispatched->attempt_id] = session->runner_id;
        send(session->routing_id,
             make_assign(*spec, pipeline->id, job.name, pipeline->repo_url, pipeline->ref,
                         pipeline->sha, dispatched->attempt_id));
        FMG_LOG(info) << "pipeline=" << pipeline->id << " job=" << job.name
                      << " attempt=" << dispatched->attempt_id << " (#" << dispatched->number
                      << ") assigned to runner=" << session->host;
    }
}

void Core::lose_session(const std::string& routing_id, const std::string& reason) {
    auto it = sessions_.find(routing_id);
    if (it == sessions_.end()) return;
    AgentSession session = std::move(it->second);
    sessions_.erase(it);
    if (auto owner = session_of_runner_.find(session.runner_id);
        owner != session_of_runner_.end() && owner->second == routing_id) {
        session_of_runner_.erase(owner);
    }
    runners::set_state(db_, session.runner_id, "lost");
    FMG_LOG(warn) << "runner=" << session.host << " lost: " << reason << "; "
                  << session.attempts.size() << " attempt(s) to retry";
    for (AttemptId attempt : session.attempts) {
        runner_of_attempt_.erase(attempt);
        lifecycle::lose_attempt(db_, status_context_, attempt, AttemptState::lost,
                                "runner " + session.host + " lost: " + reason,
                                settings_.max_attempts, clock_.wall_ms());
    }
    statuses_changed();
    log_notifier_.notify();
    dispatch();
}

void Core::lose_orphaned_attempts() {
    // After a restart: attempts whose agent did not come back within the grace period.
    size_t lost = 0;
    for (const AttemptRow& attempt : pipelines::active_attempts(db_)) {
        if (runner_of_attempt_.count(attempt.id)) continue;
        lifecycle::lose_attempt(db_, status_context_, attempt.id, AttemptState::lost,
                                "its runner did not reconnect after a coordinator restart",
                                settings_.max_attempts, clock_.wall_ms());
        ++lost;
    }
    if (lost > 0) {
        FMG_LOG(warn) << lost << " attempt(s) from before the restart had no agent; requeued";
        statuses_changed();
        dispatch();
    }
}

}  // namespace fmg::coordinator
