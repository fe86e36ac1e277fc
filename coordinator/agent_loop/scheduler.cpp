// Dispatch (push: a free slot and a queued job meet as soon as either appears), the
// consequences of losing an agent, of a job running past --job-timeout, and of an assign
// its agent never answered.

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "coordinator/agent_loop/agent_loop.h"
#include "coordinator/constants.h"
#include "coordinator/domain/job_spec.h"
#include "coordinator/domain/runner_match.h"
#include "coordinator/lifecycle/runner_ops.h"
#include "coordinator/lifecycle/serial_groups.h"
#include "coordinator/secrets/job_secrets.h"
#include "coordinator/store/pipeline_store.h"
#include "coordinator/store/test_result_store.h"
#include "coordinator/store/workspace_store.h"
#include "protocol/job_timeout.h"
#include "shared/log.h"

namespace fmg::coordinator {

AgentSession* AgentLoop::pick_session(const std::vector<std::string>& needed_labels) {
    // Among the agents whose runner carries every label the job needs, the one with the most
    // free slots, so independent jobs spread over runners; among equals, the one that left
    // fewer assigns unanswered, so a job whose assign timed out goes to another runner when
    // one is as free.
    AgentSession* best = nullptr;
    for (auto& [routing_id, session] : table_.sessions()) {
        if (session.draining || session.free_slots() == 0) continue;
        if (!runner_fits(session.labels, needed_labels)) continue;
        if (best == nullptr || session.free_slots() > best->free_slots() ||
            (session.free_slots() == best->free_slots() &&
             session.unanswered_assigns < best->unanswered_assigns)) {
            best = &session;
        }
    }
    return best;
}

namespace {

/// The free slots of agents taking work, and the labels those agents carry between them.
struct Offer {
    int64_t free_slots = 0;
    std::vector<std::string> labels;
};

Offer offer_of(const std::map<std::string, AgentSession>& sessions) {
    Offer offer;
    for (const auto& [routing_id, session] : sessions) {
        if (session.draining || session.free_slots() == 0) continue;
        offer.free_slots += session.free_slots();
        for (const std::string& label : session.labels) {
            if (std::find(offer.labels.begin(), offer.labels.end(), label) == offer.labels.end()) {
                offer.labels.push_back(label);
            }
        }
    }
    return offer;
}

}  // namespace

void AgentLoop::dispatch() {
    // Reads the queue in order, a page at a time of no more jobs (each with its spec) than
    // there are free slots: a job that ends frees one, and reading a whole batch for it was
    // most of the cost of a dispatch. A job needing labels no free agent has is skipped by the
    // query; one whose labels only several agents have together is skipped here. Either waits
    // in the queue, and the jobs behind it go on (the API says why it waits: http/json_views).
    std::optional<pipelines::QueuePlace> after;
    while (true) {
        const Offer offer = offer_of(table_.sessions());
        if (offer.free_slots == 0) return;
        // A further page means jobs of the one before were passed over (no free agent fits
        // them): pages as small as the free slots would make many queries of a long queue.
        const int64_t limit =
            after ? kDispatchBatch : std::min<int64_t>(kDispatchBatch, offer.free_slots);
        const std::vector<JobRow> page =
            pipelines::queued_jobs_offered(db_, offer.labels, after, limit);
        for (const JobRow& job : page) {
            after = pipelines::QueuePlace{job.pipeline_id, job.position};
            AgentSession* session = pick_session(job.needed_labels);
            if (session != nullptr) dispatch_job(job, *session);
        }
        if (static_cast<int64_t>(page.size()) < limit) return;
    }
}

bool AgentLoop::dispatch_job(const JobRow& job, AgentSession& session) {
    auto pipeline = pipelines::find(db_, job.pipeline_id);
    if (!pipeline) return false;
    // A newer pipeline's job of its serial group goes first; this one is skipped.
    if (job.serial_group &&
        lifecycle::supersede_if_newer(db_, status_context_, job.id, clock_.wall_ms())) {
        return false;
    }
    auto spec = job_spec_from_json(job.spec);
    auto dispatched = lifecycle::dispatch_job(db_, job.id, session.runner_id, clock_.wall_ms());
    if (!dispatched) return false;
    if (!spec) {
        // Cannot happen unless the database was edited by hand; end the attempt clearly.
        lifecycle::finish_attempt(db_, status_context_, dispatched->attempt_id, AttemptState::error,
                                  spec.error().message, clock_.wall_ms());
        return false;
    }
    // The config parser keeps jobs within the protocol's limits, but the repository URL,
    // ref and sha come from elsewhere, and a spec stored by an older version was never
    // checked: an assign the agent would drop ends the attempt here instead of holding a
    // slot of the runner (PROTOCOL.md 5).
    const RunContext run{.pipeline_id = pipeline->id,
                         .repo = pipeline->repo,
                         .repo_url = pipeline->repo_url,
                         .ref = pipeline->ref,
                         .sha = pipeline->sha,
                         .pr_number = pipeline->pr_number,
                         .job_id = job.id,
                         .job_name = job.name,
                         .attempt_id = dispatched->attempt_id};
    protocol::Assign assign = make_assign(*spec, run, settings_.job_timeout_ms);
    // Only a job with contexts opens secrets, for this attempt alone: they are never stored
    // with the job or the attempt.
    give_secrets(assign, *spec, *pipeline, db_, keyring_);
    // Only a job that attaches a workspace reads the store for its layers: the dispatch of
    // every other job (the throughput path) costs no query more.
    const bool attaches = std::any_of(
        assign.steps.begin(), assign.steps.end(),
        [](const protocol::StepSpec& s) { return s.kind == protocol::StepKind::attach_workspace; });
    const std::vector<std::string> layers =
        attaches ? workspaces::layers_for(db_, job) : std::vector<std::string>{};
    attach_layers(assign, layers);
    // A parallel job's nodes split their tests by the timings of its newest earlier run
    // (test_timings.h); the dispatch of every other job costs no query more.
    if (spec->node) {
        const std::string base = job.name.substr(0, job.name.rfind('['));
        std::string timings = test_timings_value(
            test_results::latest_timings(db_, pipeline->repo, base, pipeline->id));
        if (!timings.empty()) assign.environment[kTestTimingsVariable] = std::move(timings);
    }
    readable_blobs_[dispatched->attempt_id] = std::set<std::string>(layers.begin(), layers.end());
    auto sent = send_validated(session.routing_id, assign);
    if (!sent) {
        lifecycle::finish_attempt(db_, status_context_, dispatched->attempt_id, AttemptState::error,
                                  "the job cannot be sent to a runner: " + sent.error().message,
                                  clock_.wall_ms());
        logs_.close(dispatched->attempt_id);
        log_notifier_.notify();
        statuses_changed();
        return false;
    }
    table_.assign(dispatched->attempt_id, session, clock_.steady_now());
    FMG_LOG(info) << "pipeline=" << pipeline->id << " job=" << job.name
                  << " attempt=" << dispatched->attempt_id << " (#" << dispatched->number
                  << ") assigned to runner=" << session.host;
    return true;
}

void AgentLoop::lose_session(std::string routing_id, const std::string& reason) {
    const AgentSession* lost = table_.find(routing_id);
    if (lost == nullptr) {
        table_.lose(routing_id);  // its liveness, should it be left
        return;
    }
    const AgentSession& session = *lost;
    lifecycle::mark_runner_lost(db_, session.runner_id);
    FMG_LOG(warn) << "runner=" << session.host << " lost: " << reason << "; "
                  << session.attempts.size() << " attempt(s) to retry";
    for (AttemptId attempt : session.attempts) {
        lifecycle::lose_attempt(db_, status_context_, attempt, AttemptState::lost,
                                "runner " + session.host + " lost: " + reason,
                                settings_.max_attempts, clock_.wall_ms());
    }
    // Persisted: now the session and each attempt it held leave every index at once.
    std::optional<AgentSession> ended = table_.lose(routing_id);
    for (AttemptId attempt : ended->attempts) logs_.close(attempt);
    statuses_changed();
    log_notifier_.notify();
    dispatch();
}

AgentSession* AgentLoop::forget_attempt(AttemptId attempt) {
    AgentSession* owner = table_.release(attempt);
    // Its log is final: no chunk of it is accepted any more (fencing), so the file is closed
    // and a log over the cap is cut down to head and tail now, not at the next start.
    logs_.close(attempt);
    uploads_.forget_attempt(attempt);  // an upload it had not finished is not stored
    readable_blobs_.erase(attempt);
    caches_in_use_.erase(attempt);
    return owner;
}

void AgentLoop::lose_orphaned_attempts() {
    // After a restart: attempts whose agent did not come back within the grace period.
    size_t lost = 0;
    for (const AttemptRow& attempt : pipelines::active_attempts(db_)) {
        if (table_.owner_of(attempt.id)) continue;
        lifecycle::lose_attempt(db_, status_context_, attempt.id, AttemptState::lost,
                                "its runner did not reconnect after a coordinator restart",
                                settings_.max_attempts, clock_.wall_ms());
        forget_attempt(attempt.id);
        ++lost;
    }
    if (lost > 0) {
        FMG_LOG(warn) << lost << " attempt(s) from before the restart had no agent; requeued";
        statuses_changed();
        dispatch();
    }
}

void AgentLoop::time_out_attempt(AttemptId attempt_id) {
    auto attempt = pipelines::find_attempt(db_, attempt_id);
    if (!attempt || is_terminal(attempt->status)) return;
    std::string message = protocol::job_timeout_message(table_.job_timeouts().limit());
    // Its agent should have stopped it and said so in the log; it did not (stuck, gone, or
    // too old to know the limit), so the log gets the line the agent would have written.
    std::string line = "fmg: " + message + " (--job-timeout); ended by the coordinator\n";
    try {
        logs_.append(attempt_id, static_cast<uint64_t>(attempt->log_seq) + 1, line);
    } catch (const std::exception& e) {
        if (dynamic_cast<const DbError*>(&e) != nullptr) throw;  // fatal, as everywhere
        FMG_LOG(error) << "attempt=" << attempt_id
                       << " could not note its timeout in the log: " << e.what();
    }
    lifecycle::finish_attempt(db_, status_context_, attempt_id, AttemptState::error, message,
                              clock_.wall_ms());
    AgentSession* owner = table_.time_out(attempt_id);
    logs_.close(attempt_id);
    std::string host = attempt->runner_host.empty() ? "(none)" : attempt->runner_host;
    FMG_LOG(warn) << "runner=" << host << " attempt=" << attempt_id << " " << message
                  << "; its agent did not report the end in time, so the coordinator ended it";
    // Not a lost runner: the job is not retried. Its agent, if connected, stops it.
    if (owner != nullptr) send(owner->routing_id, protocol::Cancel{attempt_id, message});
    log_notifier_.notify();
    statuses_changed();
    dispatch();
}

void AgentLoop::time_out_assignment(AttemptId attempt_id) {
    if (!table_.owner_of(attempt_id)) return;
    auto attempt = pipelines::find_attempt(db_, attempt_id);
    if (!attempt || attempt->status != AttemptState::assigned) return;
    const std::string host = attempt->runner_host.empty() ? "(none)" : attempt->runner_host;
    const std::string reason = "runner " + host + " did not accept the job within " +
                               std::to_string(table_.assign_timeouts().timeout().count() / 1000) +
                               " s";
    lifecycle::lose_attempt(db_, status_context_, attempt_id, AttemptState::lost, reason,
                            settings_.max_attempts, clock_.wall_ms());
    AgentSession* owner = forget_attempt(attempt_id);
    FMG_LOG(warn) << "runner=" << host << " attempt=" << attempt_id << " " << reason
                  << "; the attempt is lost and its slot free";
    if (owner != nullptr) {
        ++owner->unanswered_assigns;
        // Should the assign still arrive, or its answer have been lost, the agent stops it.
        send(owner->routing_id, protocol::Cancel{attempt_id, reason});
    }
    log_notifier_.notify();
    statuses_changed();
    dispatch();
}

}  // namespace fmg::coordinator
