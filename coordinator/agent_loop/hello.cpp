// Opening a session (PROTOCOL.md 7.2) and reconciling the runner's attempts with what its agent
// reports running (PROTOCOL.md 10). Each step has its own function, in the order of the
// handler rule (docs/principles.md): identify (guard), persist, change memory, send. The
// welcome goes out only once the hello and every attempt it settles are in the database.

#include <algorithm>
#include <set>

#include "coordinator/agent_loop/agent_loop.h"
#include "coordinator/lifecycle/runner_ops.h"
#include "coordinator/store/pipeline_store.h"
#include "coordinator/store/runner_store.h"
#include "shared/log.h"

namespace fmg::coordinator {

/// What becomes of a runner's attempts when its agent says hello: keep what the agent runs
/// and the coordinator still gives it; lose what it gave it and the agent no longer has;
/// cancel what the agent runs and does not own.
struct AgentLoop::Reconciliation {
    std::vector<AttemptId> keep;          // it runs them, and they are still its runner's
    std::vector<AttemptId> lose;          // its runner's, and it no longer has them
    std::vector<AttemptId> await_result;  // finished on it; their results arrive next
    std::vector<AttemptId> cancel;        // it runs them, and they are not its to run
};

void AgentLoop::on_hello(const std::string& routing_id, const std::string& user_id,
                         const protocol::Hello& hello, int connection_fd) {
    std::optional<RunnerRow> runner = identify_runner(routing_id, user_id, hello);
    if (!runner) return;
    AgentSession session;
    session.routing_id = routing_id;
    session.connection_fd = connection_fd;
    session.runner_id = runner->id;
    session.host = runner->host;
    session.capacity = std::max<uint32_t>(1, hello.capacity);
    session.labels = hello.labels;
    session.next_heartbeat = clock_.steady_now() + Millis(settings_.heartbeat_interval_ms);

    const Reconciliation plan = reconcile(*runner, hello);
    persist_hello(*runner, hello, session.capacity, plan);
    std::optional<std::string> replaced = open_session(std::move(session), plan);
    const AgentSession* opened = table_.find(routing_id);
    welcome(*opened, plan, replaced);
    FMG_LOG(info) << "runner=" << runner->host << " online (agent " << hello.version
                  << ", capacity " << opened->capacity << ", running " << opened->attempts.size()
                  << ")";
    statuses_changed();
    dispatch();
}

std::optional<RunnerRow> AgentLoop::identify_runner(const std::string& routing_id,
                                                    const std::string& user_id,
                                                    const protocol::Hello& hello) {
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
        send(routing_id,
             runner ? protocol::Reject{protocol::RejectCode::revoked, "this runner was revoked"}
                    : protocol::Reject{protocol::RejectCode::unknown_runner,
                                       "this runner is not registered"});
        return std::nullopt;
    }
    return runner;
}

AgentLoop::Reconciliation AgentLoop::reconcile(const RunnerRow& runner,
                                               const protocol::Hello& hello) {
    Reconciliation plan;
    std::set<AttemptId> reported(hello.running.begin(), hello.running.end());
    for (const AttemptRow& attempt : pipelines::active_attempts_of(db_, runner.id)) {
        if (reported.erase(attempt.id) > 0) {
            plan.keep.push_back(attempt.id);
        } else {
            plan.lose.push_back(attempt.id);
        }
    }
    for (AttemptId stale : reported) {
        // Finished attempts whose result was not acked yet stay acceptable (their results
        // arrive next); anything else is not this runner's to run.
        if (table_.owner_of(stale) == runner.id) continue;
        auto row = pipelines::find_attempt(db_, stale);
        bool finished_here = row && row->runner_id == runner.id && !table_.timed_out_here(stale) &&
                             ended_with_result(row->status);
        if (finished_here) {
            plan.await_result.push_back(stale);
        } else {
            plan.cancel.push_back(stale);
        }
    }
    return plan;
}

void AgentLoop::persist_hello(const RunnerRow& runner, const protocol::Hello& hello,
                              uint32_t capacity, const Reconciliation& plan) {
    lifecycle::mark_runner_online(db_, runner.id, hello.version, capacity, hello.labels,
                                  clock_.wall_ms());
    for (AttemptId attempt : plan.lose) {
        lifecycle::lose_attempt(db_, status_context_, attempt, AttemptState::lost,
                                "runner " + runner.host + " came back without it",
                                settings_.max_attempts, clock_.wall_ms());
    }
}

std::optional<std::string> AgentLoop::open_session(AgentSession session,
                                                   const Reconciliation& plan) {
    // A runner has one session; a new connection replaces the old one (the agent
    // reconnected), and this reconciliation settles its attempts.
    const std::string routing_id = session.routing_id;
    const RunnerId runner = session.runner_id;
    std::optional<std::string> replaced = table_.open(std::move(session), clock_.steady_now());
    AgentSession& opened = *table_.find(routing_id);
    for (AttemptId attempt : plan.keep) table_.keep(attempt, opened);
    for (AttemptId attempt : plan.lose) forget_attempt(attempt);
    for (AttemptId attempt : plan.await_result) table_.await_result(attempt, runner);
    return replaced;
}

void AgentLoop::welcome(const AgentSession& session, const Reconciliation& plan,
                        const std::optional<std::string>& replaced) {
    send(
        session.routing_id,
        protocol::Welcome{session.runner_id, static_cast<uint32_t>(settings_.heartbeat_interval_ms),
                          static_cast<uint32_t>(settings_.agent_timeout_ms)});
    for (AttemptId stale : plan.cancel) {
        send(session.routing_id, protocol::Cancel{stale, "not assigned to this runner"});
    }
    if (replaced) {
        // The agent reconnected and its old socket is gone, or a second process uses the
        // same credentials: that one stops instead of both taking turns (PROTOCOL.md 7.2.2).
        FMG_LOG(info) << "runner=" << session.host << " replaced its earlier connection";
        send(*replaced, protocol::Reject{protocol::RejectCode::replaced,
                                         "replaced by a newer connection of this runner"});
    }
}

}  // namespace fmg::coordinator
