#pragma once
// The coordinator's event loop (principles: one writer per process): one thread owns the agents'
// ROUTER socket, the ZAP handler, the agent sessions and every job/attempt state change.
// HTTP handlers and the pipeline preparer talk to it only through its mailbox.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <zmq.hpp>

#include "coordinator/core/agent_session.h"
#include "coordinator/core/assign_timeouts.h"
#include "coordinator/core/commands.h"
#include "coordinator/core/job_timeouts.h"
#include "coordinator/core/liveness.h"
#include "coordinator/lifecycle/operations.h"
#include "coordinator/logs/log_store.h"
#include "coordinator/setup/identity.h"
#include "coordinator/setup/settings.h"
#include "coordinator/store/database.h"
#include "protocol/messages.h"
#include "shared/clock.h"
#include "shared/mailbox.h"
#include "shared/result.h"

namespace fmg::coordinator {

class Core {
  public:
    /// `on_statuses_queued` wakes the GitHub status sender after a change queued statuses.
    /// Binds the agent endpoint; throws zmq::error_t when it cannot.
    Core(const Settings& settings, const Identity& identity, zmq::context_t& context, Database& db,
         LogStore& logs, LogNotifier& log_notifier, const Clock& clock,
         std::function<void()> on_statuses_queued);

    /// Runs until a StopLoop command arrives.
    void run();

    Mailbox<CoreCommand>& mailbox() { return mailbox_; }

  private:
    // core.cpp: the loop and timers
    void handle_command(const CoreCommand& command);
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
    void on_hello(const std::string& routing_id, const std::string& user_id,
                  const protocol::Hello& hello, int connection_fd);
    void on_heartbeat(AgentSession& session, const protocol::AgentHeartbeat& heartbeat);
    void on_accepted(AgentSession& session, const protocol::Accepted& accepted);
    void on_refused(AgentSession& session, const protocol::Refused& refused);
    void on_step_started(AgentSession& session, const protocol::StepStarted& step);
    void on_log(AgentSession& session, const protocol::Log& log);
    void on_step_finished(AgentSession& session, const protocol::StepFinished& step);
    void on_job_finished(AgentSession& session, const protocol::JobFinished& finished);
    void on_goodbye(AgentSession& session, const protocol::Goodbye& goodbye);
    /// Whether `attempt` is current and this session's runner runs it; if not, tells the
    /// agent to cancel it and returns false (fencing).
    bool guard_attempt(AgentSession& session, AttemptId attempt, std::string_view what);

    // scheduler.cpp: dispatch and losing agents
    void dispatch();
    AgentSession* pick_session();
    void lose_session(const std::string& routing_id, const std::string& reason);
    void lose_orphaned_attempts();
    /// Drops an attempt that ended without a result (lost, refused, cancelled) from the
    /// loop's state: its output is refused from now on and its log file is closed.
    void forget_attempt(AttemptId attempt);
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
    Mailbox<CoreCommand> mailbox_;
    bool stopping_ = false;

    std::map<std::string, AgentSession> sessions_;       // by routing id
    std::map<RunnerId, std::string> session_of_runner_;  // runner -> routing id
    std::map<AttemptId, RunnerId> runner_of_attempt_;    // attempts whose output is accepted
    // Latest heartbeat time (wall ms) per runner, not yet in the database: written together
    // when heartbeats go out, not one transaction per heartbeat (2,000 agents send 2,000 a
    // second; docs/performance.md, scale).
    std::map<RunnerId, int64_t> heartbeats_to_record_;
    AgentLiveness liveness_;          // which sessions were silent too long
    RestartGrace restart_grace_;      // attempts left from before a restart wait this long
    JobTimeouts job_timeouts_;        // attempts that ran past --job-timeout
    AssignTimeouts assign_timeouts_;  // assigns the agent has not answered yet
    // Attempts the coordinator ended for their job timeout: an agent that reports one later
    // is told to cancel it, and its late output is refused (the log already ends with the
    // coordinator's timeout line).
    std::set<AttemptId> timed_out_here_;
};

}  // namespace fmg::coordinator
