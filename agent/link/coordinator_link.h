#pragma once
// The agent's link to the coordinator and its event loop (principles: one writer per process):
// one thread owns the DEALER socket to the coordinator, the attempts and their logs. Each
// connect opens a protocol session (PROTOCOL.md 7: hello, then welcome or reject); a link
// lives through many of them, reconnecting when one is lost. Job runner threads report
// through a mailbox; SIGTERM and SIGINT arrive through a signalfd.

#include <map>
#include <memory>
#include <optional>
#include <zmq.hpp>

#include "agent/executor/executor.h"
#include "agent/job/job_environment.h"
#include "agent/job/job_runner.h"
#include "agent/job/secret_masker.h"
#include "agent/link/attempt_log.h"
#include "agent/link/cache_requests.h"
#include "agent/link/outgoing_fetches.h"
#include "agent/link/outgoing_uploads.h"
#include "agent/link/reconnect_backoff.h"
#include "agent/setup/credentials.h"
#include "agent/setup/settings.h"
#include "shared/clock.h"
#include "shared/mailbox.h"

namespace fmg::agent {

class CoordinatorLink {
  public:
    /// `credentials` is null in insecure mode. `signal_fd` is a signalfd for SIGTERM/SIGINT
    /// (or -1).
    CoordinatorLink(const AgentSettings& settings, const Credentials* credentials,
                    std::string endpoint, Executor& executor, const Clock& clock, int signal_fd);
    ~CoordinatorLink();

    /// Runs until drained after a signal (0), or the coordinator refuses this runner (3).
    int run();

  private:
    struct Attempt {
        Attempt(protocol::AttemptId id, const std::filesystem::path& spool_dir,
                const protocol::Environment& secrets)
            : log(id, spool_dir), masker(secret_values(secrets)) {}
        std::unique_ptr<JobRunner> runner;  // null once its thread reported the end
        AttemptLog log;
        // Hides the job's secrets in its output before it enters the log (secret_masker.h).
        SecretMasker masker;
        std::optional<protocol::JobFinished> result;  // kept until acknowledged
        // Resending goes a window at a time (kResendWindow chunks): the next window leaves
        // when acks reach the end of this one, so a long backlog never overflows the socket's
        // send queue, where chunks would be dropped.
        uint64_t resend_through = 0;  // last chunk of the window in flight; 0: not resending
        SteadyTime acked_at{};        // last progress of acks (or start of waiting for one)
    };

    void connect();
    void disconnect(const std::string& why);
    void send(const protocol::AgentMessage& message);
    void send_hello();
    void resend_unacknowledged();
    /// Sends the attempt's oldest unacknowledged chunks, at most one window, and its result
    /// once no chunk is left out of the window.
    void resend_window(Attempt& attempt);
    /// Sends the attempt's new output as chunks.
    void send_new_chunks(Attempt& attempt);

    void receive_frames();
    void on_welcome(const protocol::Welcome& welcome);
    void on_reject(const protocol::Reject& reject);
    void on_assign(const protocol::Assign& assign);
    void on_ack(const protocol::Ack& ack);
    void on_cancel(const protocol::Cancel& cancel);
    void on_upload_ack(const protocol::UploadAck& ack);
    void on_upload_done(const protocol::UploadDone& done);
    void on_fetch_data(const protocol::FetchData& data);
    /// Ends the attempt's uploads and fetches with `why` (before its runner is destroyed).
    void abandon_files(protocol::AttemptId attempt, const std::string& why);
    void on_runner_event(RunnerEvent event);
    void on_monitor_event();
    void on_signal();

    void flush_logs(bool force);
    /// Meters every running attempt's output while a coordinator session is up (welcomed),
    /// and lets it run unmetered (to memory and the spool) while there is none.
    void meter_output(bool metered);
    /// Tells each running attempt's gate how much of its output is acknowledged or spooled.
    void release_output();
    void check_timers();
    Millis time_to_next_deadline() const;
    std::vector<protocol::AttemptId> held_attempts() const;
    uint32_t running_count() const;
    bool drained() const;

    const AgentSettings& settings_;
    const Credentials* credentials_;
    std::string endpoint_;
    Executor& executor_;
    const Clock& clock_;
    int signal_fd_;

    zmq::context_t context_;
    std::optional<zmq::socket_t> socket_;
    std::optional<zmq::socket_t> monitor_;
    int monitor_serial_ = 0;
    Mailbox<RunnerEvent> events_;
    std::map<protocol::AttemptId, Attempt> attempts_;
    OutgoingUploads uploads_;       // files the attempts' steps are uploading
    OutgoingFetches fetches_;       // blobs the attempts' steps are fetching
    CacheRequests cache_requests_;  // cache look-ups and saves the steps wait on

    bool welcomed_ = false;
    Millis heartbeat_interval_{1000};
    CoordinatorWatch coordinator_watch_{Millis(3000)};  // its timeout comes with `welcome`
    SteadyTime next_heartbeat_{};
    std::optional<SteadyTime> reconnect_at_;  // set while waiting to reconnect
    ReconnectBackoff backoff_;

    bool draining_ = false;
    SteadyTime drain_deadline_{};
    std::optional<int> exit_code_;
};

}  // namespace fmg::agent
