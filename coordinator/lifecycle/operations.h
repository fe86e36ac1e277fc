#pragma once
// The durable state changes of pipelines, jobs and attempts. Each function is one SQLite
// transaction that checks the transition is allowed, writes it, and queues the GitHub
// statuses it causes in the outbox, so a status is never posted for a change that was not
// committed, and never lost for one that was (principles: nothing accepted is lost).

#include <optional>
#include <string>
#include <vector>

#include "coordinator/domain/states.h"
#include "coordinator/store/database.h"
#include "coordinator/store/rows.h"

namespace fmg::coordinator::lifecycle {

/// What status posts need to know about the installation.
struct StatusContext {
    std::string public_url;  // target_url is PUBLIC_URL/api/v1/pipelines/ID
};

/// An attempt created for a queued job on a runner.
struct Dispatched {
    AttemptId attempt_id = 0;
    int64_t number = 0;
};

/// Creates the next attempt of a queued job on `runner_id` and marks the job (and its
/// pipeline) running. nullopt when the job is no longer queued.
std::optional<Dispatched> dispatch_job(Database& db, JobId job_id, RunnerId runner_id, int64_t now);

/// The runner accepted the attempt: assigned -> running. False when the attempt is not
/// assigned (stale).
bool start_attempt(Database& db, AttemptId attempt_id, int64_t now);

/// Records a step's start or end for the current attempt.
void record_step(Database& db, const StepRow& step);

/// Ends an attempt with its job's result: the job takes the same end state, dependants are
/// unblocked or skipped, the pipeline ends when all its jobs have, statuses are queued.
/// False (and nothing changes) when the attempt is not current or already over.
bool finish_attempt(Database& db, const StatusContext& statuses, AttemptId attempt_id,
                    AttemptState end, const std::optional<std::string>& error, int64_t now);

/// The attempt's runner was lost (or refused it): the attempt ends `lost` and the job is
/// queued again, unless `max_attempts` are used up, then the job ends in `error`.
void lose_attempt(Database& db, const StatusContext& statuses, AttemptId attempt_id,
                  AttemptState end, const std::string& reason, int64_t max_attempts, int64_t now);

/// Cancels every unfinished job of the pipeline and the pipeline itself. Returns the
/// attempts that were running, so their agents can be told to stop.
std::vector<AttemptRow> cancel_pipeline(Database& db, const StatusContext& statuses,
                                        PipelineId pipeline_id, int64_t now);

/// A status description within GitHub's 140-character limit.
std::string status_description(const std::string& text);

}  // namespace fmg::coordinator::lifecycle
