#include "coordinator/agent_loop/agent_loop.h"

#include <algorithm>

#include "coordinator/constants.h"
#include "coordinator/store/pipeline_store.h"
#include "coordinator/store/runner_store.h"
#include "protocol/codec.h"
#include "protocol/socket_limits.h"
#include "shared/curve.h"
#include "shared/log.h"
#include "shared/zmq_monitor.h"

namespace fmg::coordinator {
namespace {

/// How often at most the loop runs its timers (heartbeats out, silent agents, job timeouts):
/// each is up to this late, against a 1 s heartbeat and a 3 s agent timeout by default.
constexpr Millis kTimerResolution{20};

}  // namespace

AgentLoop::AgentLoop(const Settings& settings, const Identity& identity, const Keyring& keyring,
                     zmq::context_t& context, Database& db, LogStore& logs,
                     LogNotifier& log_notifier, const Clock& clock,
                     std::function<void()> on_statuses_queued)
    : settings_(settings),
      keyring_(keyring),
      context_(context),
      db_(db),
      logs_(logs),
      log_notifier_(log_notifier),
      clock_(clock),
      on_statuses_queued_(std::move(on_statuses_queued)),
      status_context_{settings.public_url},
      router_(context, zmq::socket_type::router),
      // When an agent process dies its kernel closes the connection: that is noticed at once,
      // while the agent timeout remains for freezes and cut networks.
      monitor_(open_monitor(context, router_, "inproc://coordinator-agents-monitor",
                            ZMQ_EVENT_DISCONNECTED)),
      table_(Millis(settings.agent_timeout_ms),
             JobTimeouts(Millis(settings.job_timeout_ms),
                         Millis(settings.agent_timeout_ms) + kJobTimeoutSlack),
             AssignTimeouts(assign_timeout(Millis(settings.agent_timeout_ms)))),
      blobs_(blobs_dir(settings.data_dir)),
      // One file of a cache may be as large as the whole cache (save checks the sum).
      uploads_(blobs_, static_cast<uint64_t>(
                           std::max(settings.max_artifact_bytes, settings.max_cache_bytes))),
      // Attempts that were running before a restart get this long for their agent to come
      // back and report them before they are declared lost (principles: liveness both ways).
      restart_grace_(clock.steady_now(), Millis(settings.restart_grace_ms)) {
    router_.set(zmq::sockopt::linger, 0);
    // An agent (or anyone holding a runner's keys) that sends a frame over the limit is
    // disconnected before the frame is buffered (PROTOCOL.md 2.3).
    protocol::limit_inbound_frames(router_);
    // Sends to an agent that is gone fail loudly instead of vanishing.
    router_.set(zmq::sockopt::router_mandatory, 1);
    if (!settings.insecure_agents) {
        // The ZAP handler must be bound before the ROUTER accepts CURVE handshakes.
        zap_.emplace(context, zmq::socket_type::rep);
        zap_->set(zmq::sockopt::linger, 0);
        zap_->bind("inproc://zeromq.zap.01");
        router_.set(zmq::sockopt::curve_server, 1);
        router_.set(zmq::sockopt::curve_secretkey,
                    zmq::buffer(*curve::to_binary(identity.server_keys.secret_hex)));
        router_.set(zmq::sockopt::zap_domain, "fmg");
    }
    router_.bind(settings.agent_listen);
    FMG_LOG(info) << "agents: listening on " << settings.agent_listen
                  << (settings.insecure_agents ? " (insecure: no CURVE authentication)"
                                               : " (CURVE)");
}

void AgentLoop::run() {
    start();
    while (step(Millis::max())) {
    }
    record_heartbeats();
    for (const auto& [routing_id, session] : table_.sessions()) {
        FMG_LOG(info) << "runner=" << session.host << " left connected at shutdown";
    }
}

void AgentLoop::start() {
    // Pipelines accepted or cancelled while no loop ran (restart) are picked up now.
    for (PipelineId id : pipelines::with_cancel_requested(db_)) handle_command(CancelPipeline{id});
    // Attempts still running from before a restart keep the time limit they started with, and
    // the uploads they had begun; what ended attempts left is removed.
    std::set<AttemptId> live;
    for (const AttemptRow& attempt : pipelines::active_attempts(db_)) {
        table_.job_timeouts().track(
            attempt.id, steady_time_of(attempt.started_at.value_or(attempt.created_at), clock_));
        live.insert(attempt.id);
    }
    uploads_.remove_partials_except(live);
    dispatch();
    // Each timer walks every session or attempt, so it runs when its nearest deadline is
    // due and at most every kTimerResolution, never after every frame: 2,000 agents send a
    // frame every half millisecond (docs/performance/scale.md). A due time stays at or before
    // its timer's deadlines until the timer runs again: handlers only add deadlines at least
    // a heartbeat interval ahead (a session's next heartbeat, its liveness, a job's time
    // limit), and no due time is set further ahead than one interval.
    heartbeats_due_ = clock_.steady_now();
    liveness_due_ = heartbeats_due_;
    job_timeouts_due_ = heartbeats_due_;
    assign_timeouts_due_ = heartbeats_due_;
    retention_due_ = heartbeats_due_;
}

bool AgentLoop::step(Millis max_wait) {
    std::vector<zmq::pollitem_t> items = {
        {router_.handle(), 0, ZMQ_POLLIN, 0},
        {nullptr, mailbox_.fd(), ZMQ_POLLIN, 0},
        {monitor_.handle(), 0, ZMQ_POLLIN, 0},
    };
    if (zap_) items.push_back({zap_->handle(), 0, ZMQ_POLLIN, 0});
    const SteadyTime first_due = std::min(
        {heartbeats_due_, liveness_due_, job_timeouts_due_, assign_timeouts_due_, retention_due_});
    zmq::poll(items.data(), items.size(),
              std::clamp(std::chrono::ceil<Millis>(first_due - clock_.steady_now()), Millis(0),
                         max_wait));

    if (items[1].revents & ZMQ_POLLIN) {
        for (const LoopCommand& command : mailbox_.take_all()) handle_command(command);
    }
    if (zap_ && (items[3].revents & ZMQ_POLLIN)) answer_zap_request();
    if (items[0].revents & ZMQ_POLLIN) receive_agent_frames();
    if (items[2].revents & ZMQ_POLLIN) on_monitor_event();

    const SteadyTime now = clock_.steady_now();
    const SteadyTime earliest = now + kTimerResolution;
    const SteadyTime latest = now + Millis(settings_.heartbeat_interval_ms);
    auto next_due = [&](std::optional<SteadyTime> deadline) {
        return std::max(earliest, std::min(deadline.value_or(latest), latest));
    };
    if (now >= liveness_due_) {
        check_liveness();
        liveness_due_ =
            std::min(next_due(table_.next_silence()), next_due(restart_grace_.deadline()));
    }
    if (now >= job_timeouts_due_) {
        check_job_timeouts();
        job_timeouts_due_ = next_due(table_.job_timeouts().next_deadline());
    }
    if (now >= assign_timeouts_due_) {
        check_assign_timeouts();
        assign_timeouts_due_ = next_due(table_.assign_timeouts().next_deadline());
    }
    if (now >= heartbeats_due_) {
        heartbeats_due_ = next_due(send_heartbeats());
        record_heartbeats();
    }
    if (now >= retention_due_) {
        sweep_store();
        retention_due_ = now + kRetentionSweepInterval;
    }
    return !stopping_;
}

void AgentLoop::receive_agent_frames() {
    // Drain what is waiting, bounded so timers still run under a flood.
    for (int i = 0; i < 1000; ++i) {
        zmq::message_t routing_id;
        if (!router_.recv(routing_id, zmq::recv_flags::dontwait)) return;
        if (!routing_id.more()) continue;
        zmq::message_t payload;
        if (!router_.recv(payload, zmq::recv_flags::none)) return;
        while (payload.more()) {
            // One frame per message (PROTOCOL.md); discard extra parts.
            zmq::message_t extra;
            if (!router_.recv(extra, zmq::recv_flags::none)) return;
            if (!extra.more()) break;
        }
        std::string user_id;
        if (zap_) {
            try {
                user_id = payload.gets("User-Id");
            } catch (const zmq::error_t&) {
                user_id.clear();
            }
        }
        int connection_fd = payload.get(ZMQ_SRCFD);
        try {
            handle_frame(routing_id.to_string(), user_id, payload.to_string_view(), connection_fd);
        } catch (const std::exception& e) {
            // A broken database is fatal for the process; anything else is a bug in one
            // handler and must not take the loop down.
            FMG_LOG(error) << "handling a frame failed: " << e.what();
            if (dynamic_cast<const DbError*>(&e) != nullptr) throw;
        }
    }
}

void AgentLoop::on_monitor_event() {
    while (auto event = receive_monitor_event(monitor_)) {
        if (event->event != ZMQ_EVENT_DISCONNECTED) continue;
        for (const auto& [routing_id, session] : table_.sessions()) {
            if (session.connection_fd != static_cast<int>(event->value)) continue;
            // The agent process ended, or ZeroMQ dropped the connection for a frame over
            // ZMQ_MAXMSGSIZE (protocol/socket_limits.h).
            lose_session(routing_id,
                         "its connection closed (the agent process ended, or it sent a frame "
                         "over the size limit)");
            break;
        }
    }
}

void AgentLoop::handle_command(const LoopCommand& command) {
    if (std::holds_alternative<StopLoop>(command)) {
        stopping_ = true;
    } else if (auto* ready = std::get_if<PipelineReady>(&command)) {
        FMG_LOG(debug) << "pipeline=" << ready->pipeline_id << " ready";
        statuses_changed();
        dispatch();
    } else if (auto* cancel = std::get_if<CancelPipeline>(&command)) {
        auto running =
            lifecycle::cancel_pipeline(db_, status_context_, cancel->pipeline_id, clock_.wall_ms());
        for (const AttemptRow& attempt : running) {
            if (AgentSession* owner = forget_attempt(attempt.id)) {
                send(owner->routing_id, protocol::Cancel{attempt.id, "the pipeline was cancelled"});
            }
        }
        FMG_LOG(info) << "pipeline=" << cancel->pipeline_id << " cancelled; stopped "
                      << running.size() << " running attempt(s)";
        log_notifier_.notify();
        statuses_changed();
        dispatch();
    } else if (auto* revoked = std::get_if<RunnerRevoked>(&command)) {
        if (AgentSession* session = table_.session_of(revoked->runner_id)) {
            std::string routing_id = session->routing_id;
            send(routing_id, protocol::Reject{protocol::RejectCode::revoked,
                                              "this runner was revoked by an operator"});
            lose_session(routing_id, "runner revoked");
        }
    }
}

void AgentLoop::check_liveness() {
    SteadyTime now = clock_.steady_now();
    for (const auto& [routing_id, silence] : table_.silent(now)) {
        lose_session(routing_id, "silent for " + std::to_string(silence.count()) + " ms");
    }
    if (restart_grace_.expire(now)) lose_orphaned_attempts();
}

void AgentLoop::check_job_timeouts() {
    for (AttemptId attempt : table_.job_timeouts().take_due(clock_.steady_now())) {
        time_out_attempt(attempt);
    }
}

void AgentLoop::check_assign_timeouts() {
    for (AttemptId attempt : table_.assign_timeouts().take_due(clock_.steady_now())) {
        time_out_assignment(attempt);
    }
}

SteadyTime AgentLoop::send_heartbeats() {
    SteadyTime now = clock_.steady_now();
    SteadyTime next = now + Millis(settings_.heartbeat_interval_ms);
    for (auto& [routing_id, session] : table_.sessions()) {
        if (now >= session.next_heartbeat) {
            session.next_heartbeat = now + Millis(settings_.heartbeat_interval_ms);
            send(routing_id, protocol::CoordinatorHeartbeat{});
        }
        next = std::min(next, session.next_heartbeat);
    }
    return next;
}

void AgentLoop::record_heartbeats() {
    runners::record_heartbeats(db_, heartbeats_to_record_);
    heartbeats_to_record_.clear();
}

void AgentLoop::send(const std::string& routing_id, const protocol::CoordinatorMessage& message) {
    static_cast<void>(send_validated(routing_id, message));
}

Status AgentLoop::send_validated(const std::string& routing_id,
                                 const protocol::CoordinatorMessage& message) {
    std::string frame = protocol::encode(message);
    // The agent drops a frame its decoder refuses (PROTOCOL.md 4); sending one would leave
    // the coordinator waiting for an answer that never comes. An assign is built from a
    // user's config, every other message from the coordinator's own bounded text.
    if (auto decoded = protocol::decode_coordinator_message(frame); !decoded) {
        FMG_LOG(error) << "not sending " << protocol::type_name(message)
                       << ": the agent would refuse it: " << decoded.error().message;
        return decoded.error();
    }
    try {
        router_.send(zmq::buffer(routing_id), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
        router_.send(zmq::buffer(frame), zmq::send_flags::dontwait);
    } catch (const zmq::error_t& e) {
        // EHOSTUNREACH: the connection is gone; liveness will notice the silence.
        FMG_LOG(warn) << "send " << protocol::type_name(message) << " failed: " << e.what();
    }
    return {};
}

void AgentLoop::statuses_changed() {
    if (on_statuses_queued_) on_statuses_queued_();
}

}  // namespace fmg::coordinator
