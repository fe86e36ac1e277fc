// The agent loop's handlers for agent messages within a session (hello.cpp opens one). Each
// guards first (is the sender a known session, is the attempt its current one), logs why when
// it drops something, then persists, then updates memory, then sends (principles: handlers
// guard first; persist, then change memory, then send).

#include "coordinator/agent_loop/agent_loop.h"
#include "coordinator/lifecycle/runner_ops.h"
#include "coordinator/store/pipeline_store.h"
#include "coordinator/store/runner_store.h"
#include "protocol/codec.h"
#include "shared/log.h"

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

void AgentLoop::handle_frame(const std::string& routing_id, const std::string& user_id,
                             std::string_view frame, int connection_fd) {
    auto decoded = protocol::decode_agent_message(frame);
    AgentSession* session = table_.find(routing_id);
    if (!decoded) {
        FMG_LOG(warn) << "dropped a bad frame from "
                      << (session != nullptr ? "runner=" + session->host
                                             : std::string("an unknown peer"))
                      << ": " << decoded.error().message;
        // A peer that cannot even say hello in our protocol learns why.
        if (session == nullptr) {
            send(routing_id,
                 protocol::Reject{protocol::RejectCode::invalid_frame, decoded.error().message});
        }
        return;
    }
    const protocol::AgentMessage& message = decoded.value();
    if (auto* hello = std::get_if<protocol::Hello>(&message)) {
        on_hello(routing_id, user_id, *hello, connection_fd);
        return;
    }
    if (session == nullptr) {
        // No session (e.g. it was declared lost, or the coordinator restarted): the agent must
        // say hello again so its attempts can be reconciled. The typed reject makes it do so
        // at once instead of after its agent timeout (PROTOCOL.md 7.2.4); the reason keeps
        // the words agents before reject codes looked for.
        FMG_LOG(info) << "message '" << protocol::type_name(message)
                      << "' from a peer without a session; asking it to reconnect";
        send(routing_id, protocol::Reject{protocol::RejectCode::no_session,
                                          "no session: reconnect and say hello"});
        return;
    }
    table_.heard(routing_id, clock_.steady_now());  // any frame counts as a heartbeat
    session->connection_fd = connection_fd;
    std::visit(
        [&](const auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, protocol::AgentHeartbeat>)
                on_heartbeat(*session, m);
            else if constexpr (std::is_same_v<T, protocol::Accepted>)
                on_accepted(*session, m);
            else if constexpr (std::is_same_v<T, protocol::Refused>)
                on_refused(*session, m);
            else if constexpr (std::is_same_v<T, protocol::StepStarted>)
                on_step_started(*session, m);
            else if constexpr (std::is_same_v<T, protocol::Log>)
                on_log(*session, m);
            else if constexpr (std::is_same_v<T, protocol::StepFinished>)
                on_step_finished(*session, m);
            else if constexpr (std::is_same_v<T, protocol::JobFinished>)
                on_job_finished(*session, m);
            else if constexpr (std::is_same_v<T, protocol::Goodbye>)
                on_goodbye(*session, m);
            else if constexpr (std::is_same_v<T, protocol::Upload>)
                on_upload(*session, m);
            else if constexpr (std::is_same_v<T, protocol::UploadEnd>)
                on_upload_end(*session, m);
            else if constexpr (std::is_same_v<T, protocol::Fetch>)
                on_fetch(*session, m);
            else if constexpr (std::is_same_v<T, protocol::CacheFind>)
                on_cache_find(*session, m);
            else if constexpr (std::is_same_v<T, protocol::CacheSave>)
                on_cache_save(*session, m);
        },
        message);
}

void AgentLoop::on_heartbeat(AgentSession& session, const protocol::AgentHeartbeat& heartbeat) {
    heartbeats_to_record_[session.runner_id] = clock_.wall_ms();
    if (heartbeat.draining && !session.draining) {
        session.draining = true;
        lifecycle::mark_runner_draining(db_, session.runner_id);
        FMG_LOG(info) << "runner=" << session.host << " draining";
    }
    for (AttemptId attempt : heartbeat.running) {
        if (session.attempts.count(attempt)) {
            // It holds the attempt, so it took the assign even if its `accepted` was lost.
            table_.answered(attempt);
            continue;
        }
        if (table_.owner_of(attempt)) continue;
        send(session.routing_id, protocol::Cancel{attempt, "not assigned to this runner"});
    }
}

bool AgentLoop::guard_attempt(AgentSession& session, AttemptId attempt, std::string_view what) {
    if (table_.owner_of(attempt) == session.runner_id) {
        // Any message about the attempt shows the agent holds it: its assign was answered.
        table_.answered(attempt);
        return true;
    }
    FMG_LOG(info) << "runner=" << session.host << " attempt=" << attempt << " " << what
                  << " refused: not a current attempt of this runner";
    send(session.routing_id, protocol::Cancel{attempt, "this attempt is no longer current"});
    return false;
}

void AgentLoop::on_accepted(AgentSession& session, const protocol::Accepted& accepted) {
    if (!guard_attempt(session, accepted.attempt_id, "accepted")) return;
    session.unanswered_assigns = 0;
    // The agent's clock for --job-timeout starts when it takes the job, no later than now.
    if (lifecycle::start_attempt(db_, accepted.attempt_id, clock_.wall_ms())) {
        table_.started(accepted.attempt_id, clock_.steady_now());
    }
}

void AgentLoop::on_refused(AgentSession& session, const protocol::Refused& refused) {
    if (!guard_attempt(session, refused.attempt_id, "refused")) return;
    lifecycle::lose_attempt(db_, status_context_, refused.attempt_id, AttemptState::error,
                            "runner " + session.host + " refused it: " + refused.reason,
                            settings_.max_attempts, clock_.wall_ms());
    forget_attempt(refused.attempt_id);
    statuses_changed();
    dispatch();
}

void AgentLoop::on_step_started(AgentSession& session, const protocol::StepStarted& step) {
    if (!guard_attempt(session, step.attempt_id, "step_started")) return;
    lifecycle::record_step(db_, {step.attempt_id, step.step_index, StepState::running, std::nullopt,
                                 step.started_at_ms, std::nullopt});
}

void AgentLoop::on_log(AgentSession& session, const protocol::Log& log) {
    if (!guard_attempt(session, log.attempt_id, "log")) return;
    uint64_t acked = logs_.append(log.attempt_id, log.seq, log.data);
    send(session.routing_id, protocol::Ack{log.attempt_id, acked});
}

void AgentLoop::on_step_finished(AgentSession& session, const protocol::StepFinished& step) {
    if (!guard_attempt(session, step.attempt_id, "step_finished")) return;
    lifecycle::record_step(db_, {step.attempt_id, step.step_index, step_status(step.outcome),
                                 step.exit_code, std::nullopt, step.finished_at_ms});
}

void AgentLoop::on_job_finished(AgentSession& session, const protocol::JobFinished& finished) {
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
    forget_attempt(finished.attempt_id);
    log_notifier_.notify();
    statuses_changed();
    dispatch();
}

void AgentLoop::on_goodbye(AgentSession& session, const protocol::Goodbye& goodbye) {
    FMG_LOG(info) << "runner=" << session.host << " said goodbye: " << goodbye.reason;
    RunnerId runner = session.runner_id;
    lose_session(session.routing_id, "it left: " + goodbye.reason);
    lifecycle::mark_runner_offline(db_, runner);
}

}  // namespace fmg::coordinator
