// finish_attempt (operations.h): an attempt's result, reported by its runner or decided by
// the coordinator (a job timeout, a job that cannot be sent).

#include "coordinator/lifecycle/operations.h"
#include "coordinator/lifecycle/progress.h"
#include "coordinator/lifecycle/transitions.h"
#include "coordinator/store/pipeline_store.h"

namespace fmg::coordinator::lifecycle {
namespace {

JobState job_end(AttemptState end) {
    switch (end) {
        case AttemptState::success:
            return JobState::success;
        case AttemptState::failed:
            return JobState::failed;
        case AttemptState::cancelled:
            return JobState::cancelled;
        default:
            return JobState::error;
    }
}

}  // namespace

bool finish_attempt(Database& db, const StatusContext& statuses, AttemptId attempt_id,
                    AttemptState end, const std::optional<std::string>& error, int64_t now) {
    return db.transaction([&] {
        auto attempt = pipelines::find_attempt(db, attempt_id);
        if (!attempt || is_terminal(attempt->status)) return false;
        auto job = pipelines::find_job(db, attempt->job_id);
        if (!job || job->current_attempt_id != attempt_id) return false;
        auto pipeline = pipelines::find(db, job->pipeline_id);
        if (!pipeline) return false;
        if (!transition(db, *attempt, end, {now, now}, error)) return false;
        // A cancelled or broken attempt may end without its running step's result.
        if (end == AttemptState::cancelled || end == AttemptState::error) {
            close_running_steps(db, attempt_id, end, now);
        }
        end_job(db, statuses, *pipeline, *job, job_end(end), error, now);
        advance_pipeline(db, statuses, job->pipeline_id, now);
        return true;
    });
}

}  // namespace fmg::coordinator::lifecycle
