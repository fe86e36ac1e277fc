// request_cancel and cancel_pipeline (operations.h): a user's cancel, recorded by the HTTP
// thread, then carried out by the event loop.

#include "coordinator/lifecycle/operations.h"
#include "coordinator/lifecycle/progress.h"
#include "coordinator/lifecycle/transitions.h"
#include "coordinator/store/pipeline_store.h"

namespace fmg::coordinator::lifecycle {

CancelRequest request_cancel(Database& db, PipelineId pipeline_id) {
    return db.transaction([&]() -> CancelRequest {
        const std::string name = "pipeline " + std::to_string(pipeline_id);
        auto pipeline = pipelines::find(db, pipeline_id);
        if (!pipeline) return {CancelRefusal::no_pipeline, "no " + name};
        if (is_terminal(pipeline->status)) {
            return {CancelRefusal::ended,
                    name + " already ended: " + std::string(to_string(pipeline->status))};
        }
        pipelines::request_cancel(db, pipeline_id);
        return {};
    });
}

std::vector<AttemptRow> cancel_pipeline(Database& db, const StatusContext& statuses,
                                        PipelineId pipeline_id, int64_t now) {
    return db.transaction([&] {
        std::vector<AttemptRow> running;
        auto pipeline = pipelines::find(db, pipeline_id);
        if (!pipeline || is_terminal(pipeline->status)) return running;
        pipelines::request_cancel(db, pipeline_id);
        pipeline->cancel_requested = true;
        for (const auto& job : pipelines::jobs_of(db, pipeline_id)) {
            if (is_terminal(job.status)) continue;
            if (job.current_attempt_id) {
                auto attempt = pipelines::find_attempt(db, *job.current_attempt_id);
                if (attempt && !is_terminal(attempt->status) &&
                    transition(db, *attempt, AttemptState::cancelled, {.finished_at = now},
                               "cancelled by a user")) {
                    close_running_steps(db, attempt->id, AttemptState::cancelled, now);
                    running.push_back(*attempt);
                }
            }
            end_job(db, statuses, *pipeline, job, JobState::cancelled, std::nullopt, now);
        }
        advance_pipeline(db, statuses, pipeline_id, now);
        return running;
    });
}

}  // namespace fmg::coordinator::lifecycle
