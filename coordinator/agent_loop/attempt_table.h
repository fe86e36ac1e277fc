#pragma once
// The agent loop's memory of who runs what: the agent sessions (the coordinator's end of each
// protocol session, PROTOCOL.md 7), which runner owns each attempt whose output is accepted,
// and the per-attempt and per-session timers. Every index lives here, so ending an attempt
// (release) or a session (lose) removes it from all of them in one place. Memory only: the
// loop persists each change first (docs/principles.md: persist, then change memory, then
// send). Pure: time comes in as arguments, so unit tests drive it with a ManualClock.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "coordinator/agent_loop/agent_session.h"
#include "coordinator/agent_loop/assign_timeouts.h"
#include "coordinator/agent_loop/job_timeouts.h"
#include "coordinator/agent_loop/liveness.h"
#include "coordinator/store/rows.h"
#include "shared/clock.h"

namespace fmg::coordinator {

class AttemptTable {
  public:
    /// `agent_timeout`: a session silent longer is lost; `job_timeouts` and `assign_timeouts`
    /// hold the limits of the attempts' timers.
    AttemptTable(Millis agent_timeout, JobTimeouts job_timeouts, AssignTimeouts assign_timeouts);

    // ---- sessions ----

    /// Adds `session` (heard from at `now`) as its runner's one session. A session of the same
    /// runner under another routing id is dropped without releasing its attempts: they stay
    /// the runner's, and the new session's reconciliation settles them (PROTOCOL.md 7.2.2).
    /// Returns the routing id of the session it replaced, if any.
    std::optional<std::string> open(AgentSession session, SteadyTime now);
    /// The session at `routing_id`; nullptr when there is none.
    AgentSession* find(const std::string& routing_id);
    /// The session of `runner`; nullptr when it has none.
    AgentSession* session_of(RunnerId runner);
    /// Every session, by routing id (for dispatch and heartbeats).
    std::map<std::string, AgentSession>& sessions() { return sessions_; }
    const std::map<std::string, AgentSession>& sessions() const { return sessions_; }
    /// A frame arrived from the session at `now` (any frame counts as a heartbeat).
    void heard(const std::string& routing_id, SteadyTime now) { liveness_.heard(routing_id, now); }
    /// The sessions silent past the agent timeout at `now`, with how long each was silent.
    std::vector<std::pair<std::string, Millis>> silent(SteadyTime now) const;
    /// When the next session becomes silent; nullopt when there is none.
    std::optional<SteadyTime> next_silence() const { return liveness_.next_deadline(); }
    /// Ends the session at `routing_id`: it, its liveness and its runner's entry are removed,
    /// and each attempt it held is released. Returns the ended session (its `attempts` are
    /// those it held, for the caller to persist as lost), or nullopt if there was none.
    /// `routing_id` is a copy: callers often pass the ended session's own.
    std::optional<AgentSession> lose(std::string routing_id);

    // ---- attempts ----

    /// The attempt was dispatched to `session` at `now`: it holds a slot, its output is
    /// accepted, its job timeout runs, and its agent must answer the assign in time.
    void assign(AttemptId attempt, AgentSession& session, SteadyTime now);
    /// Reconciliation: `session`'s agent still runs the attempt, which is still its runner's.
    void keep(AttemptId attempt, AgentSession& session);
    /// Reconciliation: the attempt finished on `runner` and its result is on the way: its
    /// output (the result and the log chunks before it) is accepted, and it holds no slot.
    void await_result(AttemptId attempt, RunnerId runner) { owner_of_attempt_[attempt] = runner; }
    /// The attempt ended (result, lost, refused, cancelled, timed out): removed from every
    /// index, so its output is refused from now on (fencing). Returns the session of the
    /// runner that owned it, if connected, for the caller to tell; nullptr otherwise.
    AgentSession* release(AttemptId attempt);
    /// release() for an attempt the coordinator ended for its job timeout: remembered, so an
    /// agent that reports it later is not told it finished here (its log already ends with the
    /// coordinator's timeout line).
    AgentSession* time_out(AttemptId attempt);

    /// The runner whose output for the attempt is accepted; nullopt when none.
    std::optional<RunnerId> owner_of(AttemptId attempt) const;
    /// Whether the coordinator ended the attempt for its job timeout.
    bool timed_out_here(AttemptId attempt) const { return timed_out_here_.count(attempt) > 0; }
    /// Any message about the attempt shows its agent holds it: its assign was answered.
    void answered(AttemptId attempt) { assign_timeouts_.answered(attempt); }
    /// The agent took the job at `now`: its job timeout runs from then.
    void started(AttemptId attempt, SteadyTime now) { job_timeouts_.track(attempt, now); }

    // ---- timers ----

    JobTimeouts& job_timeouts() { return job_timeouts_; }
    AssignTimeouts& assign_timeouts() { return assign_timeouts_; }

  private:
    std::map<std::string, AgentSession> sessions_;       // by routing id
    std::map<RunnerId, std::string> session_of_runner_;  // runner -> routing id
    std::map<AttemptId, RunnerId> owner_of_attempt_;     // attempts whose output is accepted
    AgentLiveness liveness_;                             // which sessions were silent too long
    JobTimeouts job_timeouts_;                           // attempts that ran past --job-timeout
    AssignTimeouts assign_timeouts_;                     // assigns the agent has not answered
    // Attempts the coordinator ended for their job timeout: an agent that reports one later is
    // told to cancel it, and its late output is refused.
    std::set<AttemptId> timed_out_here_;
};

}  // namespace fmg::coordinator
