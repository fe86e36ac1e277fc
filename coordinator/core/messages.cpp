// The event loop's handlers for agent messages. Each guards first (is the sender a known
// session, is the attempt its current one), logs why when it drops something, then persists,
// then updates memory, then sends (principles: handlers guard first; persist, then change memory,
// then send).

#include <algorithm>

#include "coordinator/core/core.h"
#include "coordinator/lifecycle/runner_ops.h"
#include "coordinator/store/pipeline_store.h"
#include "coordinator/store/runner_store.h"
#include "protocol/codec.h"
#include "shared/log.h"
#include "shared/version.h"

namespace fmg::coordinator {
namespace {

AttemptState attempt_end(protocol::JobOutcome outcome) {
    switch (outcome) {
        case protocol::JobOutcome::success:
            return AttemptState::success;
        case protocol::JobOutcome::failed:
            return AttemptState::failed;
        case protocol::JobOutcome::cancelled:
            return AttemptState::cancelled;
        default:
            return AttemptState::error;
    }
}

StepState step_status(protocol::StepOutcome outcome) {
    switch (outcome) {
        case protocol::StepOutcome::success:
            return StepState::success;
        case protocol::StepOutcome::failed:
            return StepState::failed;
        case protocol::StepOutcome::cancelled:
            return StepState::cancelled;
        default:
            return StepState::error;
    }
}

}  // namespace

void Core::handle_frame(const std::string& routing_id, const std::string& user_id,
                        std::string_view frame, int connection_fd) {
    auto decoded = protocol::decode_agent_message(frame);
    auto session_it = sessions_.find(routing_id);
    if (!decoded) {
        FMG_LOG(warn) << "dropped a bad frame from "
                      << (session_it != sessions_.end() ? "runner=" + session_it->second.host
                                                        : std::string("an unknown peer"))
                      << ": " << decoded.error().message;
        // A peer that cannot even say hello in our protocol learns why.
        if (session_it == sessions_.end()) {
            send(routing_id, protocol::Reject{decoded.error().message});
        }
        return;
    }
    const protocol::AgentMessage& message = decoded.value();
    if (auto* hello = std::get_if<protocol::Hello>(&message)) {
        on_hello(routing_id, user_id, *hello, connection_fd);
        return;
    }
    if (session_it == sessions_.end()) {
        // No session (e.g. it was declared lost, or the coordinator restarted): the agent must
        // say hello again so its attempts can be reconciled.
        FMG_LOG(info) << "message '" << protocol::type_name(message)
                      << "' from a peer without a session; asking it to reconnect";
        send(routing_id, protocol::Reject{"no session: reconnect and say hello"});
        return;
    }
    AgentSession& session = session_it->second;
    liveness_.heard(routing_id, clock_.steady_now());  // any frame counts as a heartbeat
    session.connection_fd = connection_fd;
    std::visit(
        [&](const auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, protocol::AgentHeartbeat>)
                on_heartbeat(session, m);
            else if constexpr (std::is_same_v<T, protocol::Accepted>)
                on_accepted(session, m);
            else if constexpr (std::is_same_v<T, protocol::Refused>)
                on_refused(session, m);
            else if constexpr (std::is_same_v<T, protocol::StepStarted>)
                on_step_started(session, m);
            else if constexpr (std::is_same_v<T, protocol::Log>)
                on_log(session, m);
            else if constexpr (std::is_same_v<T, protocol::StepFinished>)
                on_step_finished(session, m);
            else if constexpr (std::is_same_v<T, protocol::JobFinished>)
                on_job_finished(session, m);
            else if constexpr (std::is_same_v<T, protocol::Goodbye>)
                on_goodbye(session, m);
        },
        message);
}

void Core::on_hello(const std::string& routing_id, const std::string& user_id,
                    const protocol::Hello& hello, int connection_fd) {
    std::optional<RunnerRow> runner;
    if (zap_) {
        // ZAP admitted the connection and told us whose key it is.
        if (!user_id.empty()) runner = runners::find(db_, std::stoll(user_id));
    } else {
        runner = runners::find_by_host(db_, hello.name);
        if (!runner) {
            RunnerId id = runners::insert(
                db_, {hello.name, hello.labels, hello.capacity, "insecure:" + hello.name},
                clock_.wall_ms());
            runner = runners::find(db_, id);
            FMG_LOG(info) << "runner=" << hello.name << " registered on first hello (insecure)";
        }
    }
    if (!runner || runner->revoked_at) {
        FMG_LOG(warn) << "hello from '" << hello.name << "' refused: runner unknown or revoked";
        send(routing_id, protocol::Reject{"this runner is not registered or was revoked"});
        return;
    }
    // A runner has one session; a new connection replaces the old one (the agent
    // reconnected), and reconciliation below settles its attempts.
    if (auto old = session_of_runner_.find(runner->id); old != session_of_runner_.end()) {
        if (old->second != routing_id) {
            liveness_.forget(old->second);
            sessions_.erase(old->second);
        }
    }
    AgentSession session;
    session.routing_id = routing_id;
    session.connection_fd = connection_fd;
    session.runner_id = runner->id;
    session.host = runner->host;
    session.capacity = std::max<uint32_t>(1, hello.capacity);
    session.labels = hello.labels;
    SteadyTime now = clock_.steady_now();
    session.next_heartbeat = now + Millis(settings_.heartbeat_interval_ms);

    lifecycle::mark_runner_online(db_, runner->id, hello.version, session.capacity, hello.labels,
                                  clock_.wall_ms());
    send(routing_id,
         protocol::Welcome{runner->id, static_cast<uint32_t>(settings_.heartbeat_interval_ms),
                           static_cast<uint32_t>(settings_.agent_timeout_ms)});

    // Reconciliation: keep what the agent runs and we still give it; lose what we gave it and
    // it no longer has; cancel what it runs and we do not own to it.
    std::set<AttemptId> reported(hello.running.begin(), hello.running.end());
    for (const AttemptRow& attempt : pipelines::active_attempts_of(db_, runner->id)) {
        if (reported.count(attempt.id)) {
            assign_timeouts_.answered(attempt.id);
            session.attempts.insert(attempt.id);
            runner_of_attempt_[attempt.id] = runner->id;
            reported.erase(attempt.id);
        } else {
            lifecycle::lose_attempt(db_, status_context_, attempt.id, AttemptState::lost,
                                    "runner " + runner->host + " came back without it",
                                    settings_.max_attempts, clock_.wall_ms());
            forget_attempt(attempt.id);
        }
    }
    for (AttemptId stale : reported) {
        // Finished attempts whose result was not acked yet stay acceptable (their results
        // arrive next); anything else is not this runner's to run.
        auto it = runner_of_attempt_.find(stale);
        if (it != runner_of_attempt_.end() && it->second == runner->id) continue;
        auto row = pipelines::find_attempt(db_, stale);
        bool finished_here = row && row->runner_id == runner->id && !timed_out_here_.count(stale) &&
                             ended_with_result(row->status);
        if (finished_here) {
            runner_of_attempt_[stale] = runner->id;
            continue;
        }
        send(routing_id, protocol::Cancel{stale, "not assigned to this runner"});
    }
    FMG_LOG(info) << "runner=" << runner->host << " online (agent " << hello.version
                  << ", capacity " << session.capacity << ", running " << session.attempts.size()
                  << ")";
    session_of_runner_[runner->id] = routing_id;
    sessions_[routing_id] = std::move(session);
    liveness_.heard(routing_id, now);
    statuses_changed();
    dispatch();
}

void Core::on_heartbeat(AgentSession& session, const protocol::AgentHeartbeat& heartbeat) {
    heartbeats_to_record_[session.runner_id] = clock_.wall_ms();
    if (heartbeat.draining && !session.draining) {
        session.draining = true;
        lifecycle::mark_runner_draining(db_, session.runner_id);
        FMG_LOG(info) << "runner=" << session.host << " draining";
    }
    for (AttemptId attempt : heartbeat.running) {
        if (session.attempts.count(attempt)) {
            // It holds the attempt, so it took the assign even if its `accepted` was lost.
            assign_timeouts_.answered(attempt);
            continue;
        }
        if (runner_of_attempt_.count(attempt)) continue;
        send(session.routing_id, protocol::Cancel{attempt, "not assigned to this runner"});
    }
}

bool Core::guard_attempt(AgentSession& session, AttemptId attempt, std::string_view what) {
    auto it = runner_of_attempt_.find(attempt);
    if (it != runner_of_attempt_.end() && it->second == session.runner_id) {
        // Any message about the attempt shows the agent holds it: its assign was answered.
        assign_timeouts_.answered(attempt);
        return true;
    }
    FMG_LOG(info) << "runner=" << session.host << " attempt=" << attempt << " " << what
                  << " refused: not a current attempt of this runner";
    send(session.routing_id, protocol::Cancel{attempt, "this attempt is no longer current"});
    return false;
}

void Core::on_accepted(AgentSession& session, const protocol::Accepted& accepted) {
    if (!guard_attempt(session, accepted.attempt_id, "accepted")) return;
    session.unanswered_assigns = 0;
    // The agent's clock for --job-timeout starts when it takes the job, no later than now.
    if (lifecycle::start_attempt(db_, accepted.attempt_id, clock_.wall_ms())) {
        job_timeouts_.track(accepted.attempt_id, clock_.steady_now());
    }
}

void Core::on_refused(AgentSession& session, const protocol::Refused& refused) {
    if (!guard_attempt(session, refused.attempt_id, "refused")) return;
    session.attempts.erase(refused.attempt_id);
    lifecycle::lose_attempt(db_, status_context_, refused.attempt_id, AttemptState::error,
                            "runner " + session.host + " refused it: " + refused.reason,
                            settings_.max_attempts, clock_.wall_ms());
    forget_attempt(refused.attempt_id);
    statuses_changed();
    dispatch();
}

void Core::on_step_started(AgentSession& session, const protocol::StepStarted& step) {
    if (!guard_attempt(session, step.attempt_id, "step_started")) return;
    lifecycle::record_step(db_, {step.attempt_id, step.step_index, StepState::running, std::nullopt,
                                 step.started_at_ms, std::nullopt});
}

void Core::on_log(AgentSession& session, const protocol::Log& log) {
    if (!guard_attempt(session, log.attempt_id, "log")) return;
    uint64_t acked = logs_.append(log.attempt_id, log.seq, log.data);
    send(session.routing_id, protocol::Ack{log.attempt_id, acked});
}

void Core::on_step_finished(AgentSession& session, const protocol::StepFinished& step) {
    if (!guard_attempt(session, step.attempt_id, "step_finished")) return;
    lifecycle::record_step(db_, {step.attempt_id, step.step_index, step_status(step.outcome),
                                 step.exit_code, std::nullopt, step.finished_at_ms});
}

void Core::on_job_finished(AgentSession& session, const protocol::JobFinished& finished) {
    if (!guard_attempt(session, finished.attempt_id, "job_finished")) return;
    auto row = pipelines::find_attempt(db_, finished.attempt_id);
    if (row && static_cast<uint64_t>(row->log_seq) < finished.last_seq) {
        // Log chunks are still missing; the agent resends them and then the result again.
        FMG_LOG(info) << "attempt=" << finished.attempt_id << " result held back: log at seq "
                      << row->log_seq << " of " << finished.last_seq;
        return;
    }
    std::optional<std::string> error;
    if (!finished.error.empty()) error = finished.error;
    bool applied =
        lifecycle::finish_attempt(db_, status_context_, finished.attempt_id,
                                  attempt_end(finished.outcome), error, clock_.wall_ms());
    FMG_LOG(info) << "runner=" << session.host << " attempt=" << finished.attempt_id
                  << " finished: " << to_string(attempt_end(finished.outcome))
                  << (applied ? "" : " (already recorded)");
    // Acknowledge the result itself (PROTOCOL.md: ack of last_seq + 1).
    send(session.routing_id, protocol::Ack{finished.attempt_id, finished.last_seq + 1});
    session.attempts.erase(finished.attempt_id);
    runner_of_attempt_.erase(finished.attempt_id);
    job_timeouts_.forget(finished.attempt_id);
    logs_.close(finished.attempt_id);
    log_notifier_.notify();
    statuses_changed();
    dispatch();
}

void Core::on_goodbye(AgentSession& session, const protocol::Goodbye& goodbye) {
    FMG_LOG(info) << "runner=" << session.host << " said goodbye: " << goodbye.reason;
    RunnerId runner = session.runner_id;
    lose_session(session.routing_id, "it left: " + goodbye.reason);
    lifecycle::mark_runner_offline(db_, runner);
}

}  // namespace fmg::coordinator
