#include "agent/link/coordinator_link.h"

#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>

#include "protocol/codec.h"
#include "protocol/socket_limits.h"
#include "shared/curve.h"
#include "shared/exit_codes.h"
#include "shared/log.h"
#include "shared/version.h"
#include "shared/zmq_monitor.h"

namespace fmg::agent {
namespace {

/// How many chunks a resend puts in flight at once (at most 64 MiB of 64 KiB chunks), well
/// under the socket's send queue (sndhwm 10000), so none is dropped there.
constexpr size_t kResendWindow = 1000;

}  // namespace

CoordinatorLink::CoordinatorLink(const AgentSettings& settings, const Credentials* credentials,
                                 std::string endpoint, Executor& executor, const Clock& clock,
                                 int signal_fd)
    : settings_(settings),
      credentials_(credentials),
      endpoint_(std::move(endpoint)),
      executor_(executor),
      clock_(clock),
      signal_fd_(signal_fd) {}

CoordinatorLink::~CoordinatorLink() {
    for (const auto& [id, attempt] : attempts_) abandon_files(id, "the agent stopped");
    attempts_.clear();  // cancels and joins runner threads
    // Give a last goodbye a moment to leave before the socket closes.
    if (socket_) socket_->set(zmq::sockopt::linger, 1000);
    monitor_.reset();
    socket_.reset();
}

void CoordinatorLink::connect() {
    socket_.emplace(context_, zmq::socket_type::dealer);
    socket_->set(zmq::sockopt::linger, 0);
    // Bounded queue towards the coordinator; unacknowledged logs are resent anyway.
    socket_->set(zmq::sockopt::sndhwm, 10000);
    // A coordinator (or whoever holds its key) that sends a frame over the limit is
    // disconnected before the frame is buffered (PROTOCOL.md 2.3); the link reconnects.
    protocol::limit_inbound_frames(*socket_);
    if (credentials_ != nullptr) {
        socket_->set(zmq::sockopt::curve_serverkey,
                     zmq::buffer(*curve::to_binary(credentials_->server_public_key)));
        socket_->set(zmq::sockopt::curve_publickey,
                     zmq::buffer(*curve::to_binary(credentials_->public_key)));
        socket_->set(zmq::sockopt::curve_secretkey,
                     zmq::buffer(*curve::to_binary(credentials_->secret_key)));
    }
    monitor_.emplace(open_monitor(
        context_, *socket_, "inproc://agent-monitor-" + std::to_string(++monitor_serial_),
        ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
            ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED));
    socket_->connect(endpoint_);
    welcomed_ = false;
    reconnect_at_.reset();
    coordinator_watch_.heard(clock_.steady_now());
    send_hello();
    FMG_LOG(info) << "connecting to " << endpoint_ << " as " << settings_.name;
}

void CoordinatorLink::disconnect(const std::string& why) {
    Millis wait = backoff_.next();
    FMG_LOG(warn) << "disconnecting from the coordinator: " << why << "; reconnecting in "
                  << wait.count() << " ms";
    monitor_.reset();
    socket_.reset();
    welcomed_ = false;
    meter_output(false);
    reconnect_at_ = clock_.steady_now() + wait;
}

void CoordinatorLink::send(const protocol::AgentMessage& message) {
    if (!socket_) return;
    std::string frame = protocol::encode(message);
    auto sent = socket_->send(zmq::buffer(frame), zmq::send_flags::dontwait);
    if (!sent) {
        FMG_LOG(warn) << "send queue to the coordinator is full; dropped "
                      << protocol::type_name(message) << " (it is resent after reconnect)";
    }
}

void CoordinatorLink::send_hello() {
    protocol::Hello hello;
    hello.name = settings_.name;
    hello.version = kVersion;
    hello.capacity = settings_.capacity;
    hello.labels = settings_.labels;
    hello.running = held_attempts();
    send(hello);
}

std::vector<protocol::AttemptId> CoordinatorLink::held_attempts() const {
    std::vector<protocol::AttemptId> held;
    for (const auto& [id, attempt] : attempts_) held.push_back(id);
    return held;
}

uint32_t CoordinatorLink::running_count() const {
    return static_cast<uint32_t>(
        std::count_if(attempts_.begin(), attempts_.end(),
                      [](const auto& a) { return a.second.runner != nullptr; }));
}

bool CoordinatorLink::drained() const {
    return attempts_.empty();
}

void CoordinatorLink::resend_unacknowledged() {
    for (auto& [id, attempt] : attempts_) resend_window(attempt);
    uploads_.resend_all([this](const protocol::AgentMessage& m) { send(m); }, clock_.steady_now());
    fetches_.resend_all([this](const protocol::AgentMessage& m) { send(m); }, clock_.steady_now());
    cache_requests_.resend_all([this](const protocol::AgentMessage& m) { send(m); },
                               clock_.steady_now());
}

void CoordinatorLink::resend_window(Attempt& attempt) {
    attempt.acked_at = clock_.steady_now();
    uint64_t last_sent = 0;
    size_t sent = 0;
    auto resent = attempt.log.resend(
        [&](const protocol::Log& chunk) {
            send(chunk);
            last_sent = chunk.seq;
            ++sent;
        },
        kResendWindow);
    if (!resent) {
        FMG_LOG(error) << "attempt=" << attempt.log.attempt_id()
                       << " cannot resend its spooled log: " << resent.error().message;
    }
    const bool more = sent == kResendWindow && last_sent < attempt.log.last_seq();
    attempt.resend_through = more ? last_sent : 0;
    if (!more && attempt.result) send(*attempt.result);
}

void CoordinatorLink::send_new_chunks(Attempt& attempt) {
    // Waiting for acks starts with the first chunk that has to be acknowledged.
    if (attempt.log.unacked_count() == 0) attempt.acked_at = clock_.steady_now();
    while (auto chunk = attempt.log.take_chunk()) {
        // While a backlog is resent a window at a time, new chunks join it instead.
        if (attempt.resend_through == 0) send(*chunk);
    }
}

int CoordinatorLink::run() {
    connect();
    while (!exit_code_) {
        std::vector<zmq::pollitem_t> items = {{nullptr, events_.fd(), ZMQ_POLLIN, 0}};
        if (signal_fd_ >= 0) items.push_back({nullptr, signal_fd_, ZMQ_POLLIN, 0});
        size_t socket_index = items.size();
        if (socket_) {
            items.push_back({socket_->handle(), 0, ZMQ_POLLIN, 0});
            items.push_back({monitor_->handle(), 0, ZMQ_POLLIN, 0});
        }
        zmq::poll(items.data(), items.size(), time_to_next_deadline());

        if (items[0].revents & ZMQ_POLLIN) {
            for (RunnerEvent& event : events_.take_all()) on_runner_event(std::move(event));
        }
        if (signal_fd_ >= 0 && (items[1].revents & ZMQ_POLLIN)) on_signal();
        if (socket_ && items.size() > socket_index) {
            if (items[socket_index + 1].revents & ZMQ_POLLIN) on_monitor_event();
            if (socket_ && (items[socket_index].revents & ZMQ_POLLIN)) receive_frames();
        }
        flush_logs(false);
        release_output();
        check_timers();
    }
    return *exit_code_;
}

void CoordinatorLink::receive_frames() {
    for (int i = 0; i < 1000 && socket_; ++i) {
        zmq::message_t frame;
        if (!socket_->recv(frame, zmq::recv_flags::dontwait)) return;
        coordinator_watch_.heard(clock_.steady_now());
        auto decoded = protocol::decode_coordinator_message(frame.to_string_view());
        if (!decoded) {
            FMG_LOG(warn) << "dropped a bad frame from the coordinator: "
                          << decoded.error().message;
            continue;
        }
        std::visit(
            [&](const auto& m) {
                using T = std::decay_t<decltype(m)>;
                if constexpr (std::is_same_v<T, protocol::Welcome>)
                    on_welcome(m);
                else if constexpr (std::is_same_v<T, protocol::Reject>)
                    on_reject(m);
                else if constexpr (std::is_same_v<T, protocol::Assign>)
                    on_assign(m);
                else if constexpr (std::is_same_v<T, protocol::Ack>)
                    on_ack(m);
                else if constexpr (std::is_same_v<T, protocol::Cancel>)
                    on_cancel(m);
                else if constexpr (std::is_same_v<T, protocol::UploadAck>)
                    on_upload_ack(m);
                else if constexpr (std::is_same_v<T, protocol::UploadDone>)
                    on_upload_done(m);
                else if constexpr (std::is_same_v<T, protocol::FetchData>)
                    on_fetch_data(m);
                else if constexpr (std::is_same_v<T, protocol::CacheAnswer>)
                    cache_requests_.on_answer(m);
            },
            decoded.value());
    }
}

void CoordinatorLink::on_welcome(const protocol::Welcome& welcome) {
    welcomed_ = true;
    backoff_.reset();
    heartbeat_interval_ = Millis(welcome.heartbeat_interval_ms);
    coordinator_watch_.set_timeout(Millis(welcome.agent_timeout_ms));
    next_heartbeat_ = clock_.steady_now() + heartbeat_interval_;
    meter_output(true);
    FMG_LOG(info) << "registered as runner " << welcome.runner_id << " (heartbeat "
                  << welcome.heartbeat_interval_ms << " ms, timeout " << welcome.agent_timeout_ms
                  << " ms)";
    resend_unacknowledged();
}

void CoordinatorLink::on_reject(const protocol::Reject& reject) {
    if (reject.code == protocol::RejectCode::no_session) {
        // The coordinator forgot us (it restarted, or declared us lost): say hello again,
        // once; the frames already on their way earn more of these answers.
        if (!welcomed_) return;
        FMG_LOG(info) << "coordinator: " << reject.reason;
        welcomed_ = false;
        meter_output(false);
        send_hello();
        return;
    }
    FMG_LOG(error) << "the coordinator refused this runner: " << reject.reason
                   << " (authentication or registration; check the credentials file)";
    exit_code_ = exit_code::kUnreachable;
}

void CoordinatorLink::on_assign(const protocol::Assign& assign) {
    if (attempts_.count(assign.attempt_id)) return;  // a repeat of one we hold
    if (draining_ || running_count() >= settings_.capacity) {
        send(protocol::Refused{assign.attempt_id, draining_ ? "draining" : "no free slot"});
        return;
    }
    FMG_LOG(info) << "attempt=" << assign.attempt_id << " pipeline=" << assign.pipeline_id
                  << " job=" << assign.job_name << " starting";
    const std::filesystem::path spool_dir = spool_directory(settings_.work_dir);
    Attempt& attempt =
        attempts_.emplace(assign.attempt_id, Attempt(assign.attempt_id, spool_dir, assign.secrets))
            .first->second;
    attempt.runner =
        std::make_unique<JobRunner>(assign, executor_, settings_.work_dir, events_, clock_);
    attempt.runner->gate().set_metered(welcomed_);
    send(protocol::Accepted{assign.attempt_id});
    attempt.runner->start();
}

void CoordinatorLink::on_ack(const protocol::Ack& ack) {
    auto it = attempts_.find(ack.attempt_id);
    if (it == attempts_.end()) return;
    Attempt& attempt = it->second;
    if (ack.seq > attempt.log.acked_seq()) attempt.acked_at = clock_.steady_now();
    attempt.log.ack(ack.seq);
    if (attempt.result && ack.seq == attempt.result->last_seq + 1) {
        // The result is durable at the coordinator: the attempt is done here.
        attempts_.erase(it);
        return;
    }
    if (attempt.resend_through != 0 && ack.seq >= attempt.resend_through) resend_window(attempt);
}

void CoordinatorLink::on_cancel(const protocol::Cancel& cancel) {
    auto it = attempts_.find(cancel.attempt_id);
    if (it == attempts_.end()) return;
    FMG_LOG(info) << "attempt=" << cancel.attempt_id
                  << " cancelled by the coordinator: " << cancel.reason;
    if (it->second.runner) {
        it->second.runner->cancel();
        it->second.result.reset();
    }
    abandon_files(cancel.attempt_id, "the attempt was cancelled: " + cancel.reason);
    // Whatever it still produces is no longer wanted.
    attempts_.erase(it);
}

void CoordinatorLink::on_upload_ack(const protocol::UploadAck& ack) {
    uploads_.on_ack(
        ack, [this](const protocol::AgentMessage& m) { send(m); }, clock_.steady_now());
}

void CoordinatorLink::on_upload_done(const protocol::UploadDone& done) {
    uploads_.on_done(done);
}

void CoordinatorLink::on_fetch_data(const protocol::FetchData& data) {
    fetches_.on_data(
        data, [this](const protocol::AgentMessage& m) { send(m); }, clock_.steady_now());
}

void CoordinatorLink::abandon_files(protocol::AttemptId attempt, const std::string& why) {
    uploads_.abandon_attempt(attempt, why);
    fetches_.abandon_attempt(attempt, why);
    cache_requests_.abandon_attempt(attempt, why);
}

void CoordinatorLink::on_runner_event(RunnerEvent event) {
    auto id = std::visit([](const auto& e) { return e.attempt_id; }, event);
    auto it = attempts_.find(id);
    if (it == attempts_.end()) {  // cancelled meanwhile
        if (auto* upload = std::get_if<UploadRequest>(&event); upload && upload->done) {
            upload->done->set_value(Error{"the attempt was cancelled"});
        }
        if (auto* fetch = std::get_if<FetchRequest>(&event); fetch && fetch->done) {
            fetch->done->set_value(Error{"the attempt was cancelled"});
        }
        if (auto* request = std::get_if<CacheRequest>(&event); request && request->done) {
            request->done->set_value(Error{"the attempt was cancelled"});
        }
        return;
    }
    Attempt& attempt = it->second;
    SteadyTime now = clock_.steady_now();
    if (auto* output = std::get_if<Output>(&event)) {
        if (!attempt.masker.active()) {
            attempt.log.append(output->bytes, now);
        } else if (std::string masked = attempt.masker.feed(output->bytes); !masked.empty()) {
            attempt.log.append(masked, now);
        }
        return;
    }
    // Whatever comes next ends the output before it (a step, a file request, the job): the
    // bytes the masker held back, in case a secret went on in the next write, go out now.
    if (attempt.masker.active()) {
        if (std::string rest = attempt.masker.flush(); !rest.empty()) attempt.log.append(rest, now);
    }
    if (auto* upload = std::get_if<UploadRequest>(&event)) {
        // The output before it (what the step printed) goes first.
        send_new_chunks(attempt);
        uploads_.start(
            std::move(*upload), welcomed_, [this](const protocol::AgentMessage& m) { send(m); },
            now);
        return;
    }
    if (auto* fetch = std::get_if<FetchRequest>(&event)) {
        fetches_.start(
            std::move(*fetch), welcomed_, [this](const protocol::AgentMessage& m) { send(m); },
            now);
        return;
    }
    if (auto* request = std::get_if<CacheRequest>(&event)) {
        cache_requests_.start(
            std::move(*request), welcomed_, [this](const protocol::AgentMessage& m) { send(m); },
            now);
        return;
    }
    // Steps and results follow the output they come after.
    send_new_chunks(attempt);
    if (auto* began = std::get_if<StepBegan>(&event)) {
        send(protocol::StepStarted{id, began->step_index, began->at_ms});
    } else if (auto* ended = std::get_if<StepEnded>(&event)) {
        send(protocol::StepFinished{id, ended->step_index, ended->outcome, ended->exit_code,
                                    ended->at_ms});
    } else if (auto* job = std::get_if<JobEnded>(&event)) {
        // An error may quote what a step printed: it is masked as the log is.
        std::string error = job->error;
        if (attempt.masker.active()) error = attempt.masker.feed(error) + attempt.masker.flush();
        protocol::JobFinished finished{id, job->outcome, error, attempt.log.last_seq(), job->at_ms};
        attempt.result = finished;
        attempt.runner.reset();  // its thread has ended; join it
        FMG_LOG(info) << "attempt=" << id << " finished";
        send(finished);
    }
}

void CoordinatorLink::on_monitor_event() {
    while (monitor_) {
        std::optional<MonitorEvent> monitored = receive_monitor_event(*monitor_);
        if (!monitored) return;
        if (monitored->event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
            FMG_LOG(error) << "authentication refused by the coordinator at " << endpoint_
                           << " (status " << monitored->value
                           << "): this runner's key is not registered or was revoked";
            exit_code_ = exit_code::kUnreachable;
            return;
        }
        if (monitored->event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
            FMG_LOG(warn) << "handshake with " << endpoint_
                          << " failed (protocol error; is it an fmg coordinator with CURVE?)";
        }
    }
}

void CoordinatorLink::on_signal() {
    signalfd_siginfo info{};
    if (::read(signal_fd_, &info, sizeof info) != static_cast<ssize_t>(sizeof info)) return;
    if (draining_) {
        FMG_LOG(warn) << "second signal: handing back " << running_count() << " attempt(s) now";
        drain_deadline_ = clock_.steady_now();
        return;
    }
    draining_ = true;
    drain_deadline_ = clock_.steady_now() + Millis(settings_.drain_timeout_ms);
    FMG_LOG(info) << "signal " << info.ssi_signo << ": draining (" << running_count()
                  << " running; no new jobs; hand-back in " << settings_.drain_timeout_ms << " ms)";
    send(protocol::AgentHeartbeat{held_attempts(), 0, true});
}

void CoordinatorLink::flush_logs(bool force) {
    SteadyTime now = clock_.steady_now();
    for (auto& [id, attempt] : attempts_) {
        if (!force && !attempt.log.flush_due(now)) continue;
        send_new_chunks(attempt);
    }
}

void CoordinatorLink::meter_output(bool metered) {
    for (auto& [id, attempt] : attempts_) {
        if (attempt.runner) attempt.runner->gate().set_metered(metered);
    }
}

void CoordinatorLink::release_output() {
    for (auto& [id, attempt] : attempts_) {
        if (attempt.runner) attempt.runner->gate().release_through(attempt.log.released_bytes());
    }
}

void CoordinatorLink::check_timers() {
    SteadyTime now = clock_.steady_now();
    // Job time limits hold whatever the connection does.
    for (auto& [id, attempt] : attempts_) {
        if (attempt.runner && attempt.runner->enforce_deadline(now)) {
            FMG_LOG(warn) << "attempt=" << id << " ran past its job timeout; stopping it";
        }
    }
    if (draining_) {
        // Checked first: a drain must end even while the coordinator is unreachable.
        if (drained()) {
            send(protocol::Goodbye{"drained after a signal"});
            FMG_LOG(info) << "drained; goodbye";
            exit_code_ = exit_code::kOk;
            return;
        }
        if (now >= drain_deadline_) {
            FMG_LOG(warn) << "drain time is up: handing back " << attempts_.size() << " attempt(s)";
            for (const auto& [id, attempt] : attempts_) {
                abandon_files(id, "the agent handed the attempt back");
            }
            attempts_.clear();  // cancels and joins the runners
            send(protocol::Goodbye{"drain timeout: running attempts handed back"});
            exit_code_ = exit_code::kOk;
            return;
        }
    }
    if (!socket_) {
        if (reconnect_at_ && now >= *reconnect_at_) connect();
        return;
    }
    if (coordinator_watch_.silent(now)) {
        Millis silence = coordinator_watch_.silence(now);
        disconnect("no word for " + std::to_string(silence.count()) + " ms" +
                   (welcomed_ ? "" : " (no welcome)"));
        return;
    }
    for (auto& [id, attempt] : attempts_) {
        // PROTOCOL.md 9.5: data unacknowledged for the agent timeout while the session lives
        // was dropped somewhere (a full queue, a coordinator that refused a chunk past a gap).
        bool waiting = attempt.log.unacked_count() > 0 || attempt.result;
        if (!welcomed_ || !waiting || now - attempt.acked_at <= coordinator_watch_.timeout())
            continue;
        FMG_LOG(warn) << "attempt=" << id << " no ack for "
                      << std::chrono::duration_cast<Millis>(now - attempt.acked_at).count()
                      << " ms; resending from seq " << attempt.log.acked_seq() + 1;
        resend_window(attempt);
    }
    if (welcomed_) {
        uploads_.resend_stalled([this](const protocol::AgentMessage& m) { send(m); }, now,
                                coordinator_watch_.timeout());
        fetches_.resend_stalled([this](const protocol::AgentMessage& m) { send(m); }, now,
                                coordinator_watch_.timeout());
        cache_requests_.resend_stalled([this](const protocol::AgentMessage& m) { send(m); }, now,
                                       coordinator_watch_.timeout());
    }
    if (welcomed_ && now >= next_heartbeat_) {
        next_heartbeat_ = now + heartbeat_interval_;
        uint32_t running = running_count();
        uint32_t free =
            draining_ || running >= settings_.capacity ? 0 : settings_.capacity - running;
        send(protocol::AgentHeartbeat{held_attempts(), free, draining_});
    }
}

Millis CoordinatorLink::time_to_next_deadline() const {
    SteadyTime now = clock_.steady_now();
    SteadyTime next = now + Millis(1000);
    if (!socket_ && reconnect_at_) next = std::min(next, *reconnect_at_);
    if (socket_) {
        next = std::min(next, coordinator_watch_.deadline());
        if (welcomed_) next = std::min(next, next_heartbeat_);
    }
    for (const auto& [id, attempt] : attempts_) {
        if (auto deadline = attempt.log.flush_deadline()) next = std::min(next, *deadline);
        if (!attempt.runner) continue;
        if (auto deadline = attempt.runner->deadline()) next = std::min(next, *deadline);
    }
    if (draining_) next = std::min(next, drain_deadline_);
    return std::max(Millis(0), std::chrono::duration_cast<Millis>(next - now));
}

}  // namespace fmg::agent
