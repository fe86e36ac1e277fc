#pragma once
// The durable state changes of jobs and their attempts. Each operation is one SQLite
// transaction: it guards (is the attempt current, is the job in the state it expects), moves
// states through lifecycle::transition (transitions.h), and queues the GitHub statuses the
// change causes (statuses.h), so a status is never posted for a change that was not committed,
// and never lost for one that was (principles: nothing accepted is lost). The event loop
// changes memory and sends messages only after the operation returns.
//
// One file per operation: dispatch.cpp (dispatch_job, start_attempt, record_step),
// finish.cpp, lose.cpp, cancel.cpp; what they share (ending a job, advancing its pipeline)
// is in progress.h. The other operations: preparation.h (the preparer), retry.h, approval.h,
// runner_ops.h.

#include <optional>
#include <string>
#include <vector>

#include "coordinator/domain/states.h"
#include "coordinator/lifecycle/statuses.h"
#include "coordinator/store/database.h"
#include "coordinator/store/rows.h"

namespace fmg::coordinator::lifecycle {

/// An attempt created for a queued job on a runner.
struct Dispatched {
    AttemptId attempt_id = 0;
    int64_t number = 0;
};

/// Creates the next attempt (assigned) of a queued job on `runner_id` and moves the job (and
/// its pipeline, if queued) to running. nullopt, changing nothing, when the job is no longer
/// queued.
std::optional<Dispatched> dispatch_job(Database& db, JobId job_id, RunnerId runner_id, int64_t now);

/// The runner accepted the attempt: assigned -> running. False, changing nothing, when the
/// attempt is not assigned (stale, or a duplicate `accepted`).
bool start_attempt(Database& db, AttemptId attempt_id, int64_t now);

/// Records a step's start (running) or end for the attempt: its first report writes the
/// step's row, a later one moves it from running to its end. False, changing nothing, for a
/// report about a step that has ended already, or a second start (duplicates).
bool record_step(Database& db, const StepRow& step);

/// Ends an attempt with its job's result: the job takes the same end state (its running steps
/// end too when the attempt was cancelled or broke), dependants are unblocked or skipped, the
/// pipeline ends when all its jobs have, statuses are queued. False, changing nothing, when
/// the attempt is not current or already over.
bool finish_attempt(Database& db, const StatusContext& statuses, AttemptId attempt_id,
                    AttemptState end, const std::optional<std::string>& error, int64_t now);

/// The attempt's runner was lost (or refused it): the attempt and its running steps end `end`
/// (lost or error) and the job is queued again, unless `max_attempts` are used up or its
/// pipeline is being cancelled: then the job ends in `error` and the pipeline records why.
/// Nothing changes for an attempt that is already over.
void lose_attempt(Database& db, const StatusContext& statuses, AttemptId attempt_id,
                  AttemptState end, const std::string& reason, int64_t max_attempts, int64_t now);

/// Cancels every unfinished job of the pipeline (and their attempts and running steps) and
/// the pipeline itself. Returns the attempts that were running, so their agents can be told
/// to stop. Nothing changes for a pipeline that has ended.
std::vector<AttemptRow> cancel_pipeline(Database& db, const StatusContext& statuses,
                                        PipelineId pipeline_id, int64_t now);

/// Why request_cancel() did nothing, as the API tells it (404 or 409).
enum class CancelRefusal { no_pipeline, ended };

struct CancelRequest {
    std::optional<CancelRefusal> refused;
    std::string message;  // why it was refused, for people
};

/// A user asked to cancel the pipeline (an HTTP thread): records the request, so a restart
/// still carries it out; the event loop then runs cancel_pipeline. Refuses, changing nothing,
/// when there is no such pipeline or it has ended.
CancelRequest request_cancel(Database& db, PipelineId pipeline_id);

}  // namespace fmg::coordinator::lifecycle
