// lose_attempt (operations.h): an attempt whose runner was lost, came back without it, never
// answered its assignment, or refused it.

#include "coordinator/lifecycle/operations.h"
#include "coordinator/lifecycle/progress.h"
#include "coordinator/lifecycle/transitions.h"
#include "coordinator/store/pipeline_store.h"
#include "shared/log.h"

namespace fmg::coordinator::lifecycle {

void lose_attempt(Database& db, const StatusContext& statuses, AttemptId attempt_id,
                  AttemptState end, const std::string& reason, int64_t max_attempts, int64_t now) {
    db.transaction([&] {
        auto attempt = pipelines::find_attempt(db, attempt_id);
        if (!attempt || is_terminal(attempt->status)) return;
        if (!transition(db, *attempt, end, {.finished_at = now}, reason)) return;
        close_running_steps(db, attempt_id, end, now);
        auto job = pipelines::find_job(db, attempt->job_id);
        if (!job || job->current_attempt_id != attempt_id || job->status != JobState::running) {
            return;
        }
        auto pipeline = pipelines::find(db, job->pipeline_id);
        if (!pipeline) return;
        if (attempt->number < max_attempts && !pipeline->cancel_requested) {
            transition(db, *job, JobState::queued, {});
            FMG_LOG(info) << "pipeline=" << pipeline->id << " job=" << job->name
                          << " attempt=" << attempt_id << " " << to_string(end) << " (" << reason
                          << "); requeued for attempt " << attempt->number + 1;
            return;
        }
        std::string message = "gave up after " + std::to_string(attempt->number) +
                              " attempt(s); the last one: " + reason;
        end_job(db, statuses, *pipeline, *job, JobState::error, message, now);
        pipelines::set_error_if_unset(db, pipeline->id, "job " + job->name + ": " + message);
        advance_pipeline(db, statuses, pipeline->id, now);
    });
}

}  // namespace fmg::coordinator::lifecycle
