#pragma once
// The coordinator's event loop (principles: one writer per process): one thread owns the agents'
// ROUTER socket, the ZAP handler, the agent sessions and every job/attempt state change: it
// meets agents' messages, dispatches queued jobs to free slots and ends attempts whose agent
// or time limit is gone. HTTP handlers and the pipeline preparer talk to it only through its
// mailbox.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "coordinator/agent_loop/agent_session.h"
#include "coordinator/agent_loop/attempt_table.h"
#include "coordinator/agent_loop/commands.h"
#include "coordinator/agent_loop/liveness.h"
#include "coordinator/files/blob_store.h"
#include "coordinator/files/upload_receiver.h"
#include "coordinator/lifecycle/operations.h"
#include "coordinator/logs/log_store.h"
#include "coordinator/secrets/keyring.h"
#include "coordinator/setup/identity.h"
#include "coordinator/setup/settings.h"
#include "coordinator/store/database.h"
#include "protocol/messages.h"
#include "shared/clock.h"
#include "shared/mailbox.h"
#include "shared/result.h"

namespace fmg::coordinator {

class AgentLoop {
  public:
    /// `on_statuses_queued` wakes the GitHub status sender after a change queued statuses.
    /// Binds the agent endpoint; throws zmq::error_t when it cannot.
    /// `keyring` opens the secrets a dispatched job gets.
    AgentLoop(const Settings& settings, const Identity& identity, const Keyring& keyring,
              zmq::context_t& context, Database& db, LogStore& logs, LogNotifier& log_notifier,
              const Clock& clock, std::function<void()> on_statuses_queued);

    /// Runs until a StopLoop command arrives: start(), then step() until it returns false.
    void run();

    /// What the loop does once before its first step: takes up what a restart left (pipelines
    /// to cancel, attempts whose time limit runs on) and dispatches.
    void start();
    /// One turn of the loop: waits for a frame, a command or a connection event, at most
    /// `max_wait` and no longer than until the first timer is due (on the loop's clock),
    /// handles what arrived, then runs the timers that are due. Returns false once a StopLoop
    /// command arrived. run() steps without a bound; tests step with a ManualClock.
    bool step(Millis max_wait);

    Mailbox<LoopCommand>& mailbox() { return mailbox_; }
    /// The endpoint agents connect to, with the port the system chose for a "tcp://HOST:*".
    std::string endpoint() const { return router_.get(zmq::sockopt::last_endpoint); }

  private:
    // agent_loop.cpp: the loop and timers
    void handle_command(const LoopCommand& command);
    void check_liveness();
    void check_job_timeouts();
    void check_assign_timeouts();
    /// Sends a heartbeat to each session whose turn it is; returns when the next one is due
    /// (at most one heartbeat interval ahead).
    SteadyTime send_heartbeats();
    /// Writes the heartbeat times received since the last call, in one transaction.
    void record_heartbeats();
    void receive_agent_frames();
    void on_monitor_event();

    // messages.cpp: one handler per agent message, each guarding first
    void handle_frame(const std::string& routing_id, const std::string& user_id,
                      std::string_view frame, int connection_fd);
    void on_heartbeat(AgentSession& session, const protocol::AgentHeartbeat& heartbeat);
    void on_accepted(AgentSession& session, const protocol::Accepted& accepted);
    void on_refused(AgentSession& session, const protocol::Refused& refused);
    void on_step_started(AgentSession& session, const protocol::StepStarted& step);
    void on_log(AgentSession& session, const protocol::Log& log);
    void on_step_finished(AgentSession& session, const protocol::StepFinished& step);
    void on_job_finished(AgentSession& session, const protocol::JobFinished& finished);
    void on_goodbye(AgentSession& session, const protocol::Goodbye& goodbye);
    // uploads.cpp: files the agents send (PROTOCOL.md 11)
    void on_upload(AgentSession& session, const protocol::Upload& upload);
    void on_upload_end(AgentSession& session, const protocol::UploadEnd& end);
    void on_fetch(AgentSession& session, const protocol::Fetch& fetch);
    /// The blobs an attempt may fetch besides its repository's caches: the workspace layers
    /// its assign named (computed again from the store after a restart).
    const std::set<std::string>& readable_blobs(AttemptId attempt);
    // retention.cpp: the store's retention and quota (docs/files.md)
    /// Removes what retention no longer keeps, evicts caches while over the quota, and
    /// deletes the blobs nothing refers to any more.
    void sweep_store();
    /// Whether `room` more bytes fit within --store-quota, evicting least recently used
    /// caches (none a running attempt found) to make it; deletes the blobs that freed.
    bool make_room(int64_t room);
    // caches.cpp: save_cache and restore_cache (PROTOCOL.md 11.1)
    void on_cache_find(AgentSession& session, const protocol::CacheFind& find);
    void on_cache_save(AgentSession& session, const protocol::CacheSave& save);
    /// Whether the blob fetched is part of a cache of the attempt's scope.
    bool may_read_cache_blob(const protocol::Fetch& fetch);
    /// The scope of the attempt's caches: its pipeline's repository (owner/name), or for a
    /// pull request from a fork that needed approval "OWNER/NAME fork:FORK/NAME".
    std::optional<std::string> cache_scope(AttemptId attempt);
    /// Whether `attempt` is current and this session's runner runs it; if not, tells the
    /// agent to cancel it and returns false (fencing).
    bool guard_attempt(AgentSession& session, AttemptId attempt, std::string_view what);

    // hello.cpp: opening a session (PROTOCOL.md 7.2, 10)
    struct Reconciliation;
    /// Identifies the runner, persists the hello and its reconciliation, opens the session
    /// (replacing an earlier one of the runner), and only then welcomes the agent and cancels
    /// what it runs that is not its own.
    void on_hello(const std::string& routing_id, const std::string& user_id,
                  const protocol::Hello& hello, int connection_fd);
    /// The runner whose agent said hello (by its CURVE key, or by name when insecure, which
    /// registers an unknown name); rejects the agent and returns nullopt when the runner is
    /// unknown or revoked.
    std::optional<RunnerRow> identify_runner(const std::string& routing_id,
                                             const std::string& user_id,
                                             const protocol::Hello& hello);
    /// What becomes of the runner's attempts given what its agent reports running. Reads only.
    Reconciliation reconcile(const RunnerRow& runner, const protocol::Hello& hello);
    /// Writes the hello and the attempts the agent no longer has (lost), in that order.
    void persist_hello(const RunnerRow& runner, const protocol::Hello& hello, uint32_t capacity,
                       const Reconciliation& plan);
    /// Opens the session in memory (replacing any other of the runner) with the attempts it
    /// keeps; returns the routing id of the session it replaced.
    std::optional<std::string> open_session(AgentSession session, const Reconciliation& plan);
    /// Sends the welcome, then the cancels of the attempts the agent must stop, then the
    /// replaced connection's reject.
    void welcome(const AgentSession& session, const Reconciliation& plan,
                 const std::optional<std::string>& replaced);

    // scheduler.cpp: dispatch and losing agents
    void dispatch();
    AgentSession* pick_session(const std::vector<std::string>& needed_labels);
    bool dispatch_job(const JobRow& job, AgentSession& session);
    /// Ends the session at `routing_id` (a copy: callers often pass the session's own, which
    /// ends with it): the runner is lost and every attempt it held is lost and requeued.
    void lose_session(std::string routing_id, const std::string& reason);
    void lose_orphaned_attempts();
    /// Drops an attempt that ended from the loop's memory (every index of the table): its
    /// output is refused from now on and its log file is closed. Returns the session of the
    /// runner that owned it, if connected.
    AgentSession* forget_attempt(AttemptId attempt);
    /// Ends an attempt that ran past --job-timeout in `error` (its agent did not report the
    /// end in time) and tells its agent to cancel it. Does nothing if it ended meanwhile.
    void time_out_attempt(AttemptId attempt);
    /// Ends an attempt whose agent answered its assign neither with `accepted` nor with
    /// `refused` within the assign timeout: `lost`, so its job is requeued (counting towards
    /// --max-attempts), the slot is freed and the agent is told to cancel it. Does nothing
    /// if the agent answered or the attempt ended meanwhile.
    void time_out_assignment(AttemptId attempt);

    // zap.cpp: CURVE authentication of agents
    void answer_zap_request();

    /// Encodes `message`, checks it as the agent's decoder will (PROTOCOL.md 5) and sends it
    /// to `routing_id`. Returns the decoder's error instead of sending a frame the agent
    /// would drop; a failed send (the peer is gone) is only logged and counts as sent.
    Status send_validated(const std::string& routing_id,
                          const protocol::CoordinatorMessage& message);
    /// send_validated() for messages the coordinator builds from its own bounded text: an
    /// error there is a bug, logged, and the frame is not sent.
    void send(const std::string& routing_id, const protocol::CoordinatorMessage& message);
    void statuses_changed();

    const Settings& settings_;
    const Keyring& keyring_;
    zmq::context_t& context_;
    Database& db_;
    LogStore& logs_;
    LogNotifier& log_notifier_;
    const Clock& clock_;
    std::function<void()> on_statuses_queued_;
    lifecycle::StatusContext status_context_;

    zmq::socket_t router_;
    std::optional<zmq::socket_t> zap_;
    zmq::socket_t monitor_;  // ROUTER connection events: a closed connection is a dead agent
    Mailbox<LoopCommand> mailbox_;
    bool stopping_ = false;

    AttemptTable table_;  // the sessions, who owns each attempt, and their timers
    BlobStore blobs_;     // DATA/blobs: artifacts' bytes
    UploadReceiver uploads_;
    std::map<AttemptId, std::set<std::string>> readable_blobs_;  // see readable_blobs()
    // The caches each running attempt found: never evicted for the quota while it runs.
    std::map<AttemptId, std::set<int64_t>> caches_in_use_;
    // The blob store's bytes under --store-quota, read at each upload's first chunk and
    // after the quota made room.
    int64_t stored_bytes_ = 0;
    // Latest heartbeat time (wall ms) per runner, not yet in the database: written together
    // when heartbeats go out, not one transaction per heartbeat (2,000 agents send 2,000 a
    // second; docs/performance.md, scale).
    std::map<RunnerId, int64_t> heartbeats_to_record_;
    RestartGrace restart_grace_;  // attempts left from before a restart wait this long

    // When each timer runs next (see step()).
    SteadyTime heartbeats_due_{};
    SteadyTime liveness_due_{};  // silent agents and the restart grace
    SteadyTime job_timeouts_due_{};
    SteadyTime assign_timeouts_due_{};
    SteadyTime retention_due_{};  // the store's next sweep (retention.cpp)
};

}  // namespace fmg::coordinator
