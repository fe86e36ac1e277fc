#include "coordinator/lifecycle/preparation.h"

#include "coordinator/lifecycle/approval.h"
#include "coordinator/lifecycle/progress.h"
#include "coordinator/lifecycle/transitions.h"
#include "coordinator/store/pipeline_store.h"
#include "shared/log.h"

namespace fmg::coordinator::lifecycle {
namespace {

/// The pipeline read inside the transaction, or nullopt after marking it prepared when it
/// has ended (cancelled while its repository was fetched) and so takes nothing more.
std::optional<PipelineRow> still_open(Database& db, PipelineId pipeline_id) {
    auto pipeline = pipelines::find(db, pipeline_id);
    if (!pipeline) return std::nullopt;
    if (is_terminal(pipeline->status)) {
        pipelines::mark_prepared(db, pipeline_id);
        FMG_LOG(info) << "pipeline=" << pipeline_id << " ended (" << to_string(pipeline->status)
                      << ") while it was prepared";
        return std::nullopt;
    }
    return pipeline;
}

}  // namespace

void pin_commit(Database& db, PipelineId pipeline_id, const std::string& sha) {
    pipelines::set_sha(db, pipeline_id, sha);
}

bool record_jobs(Database& db, const StatusContext& statuses, PipelineId pipeline_id,
                 const std::vector<ConfigJob>& jobs, int64_t now) {
    return db.transaction([&] {
        // Read inside the transaction: an approval or a cancel may have come while fetching.
        auto pipeline = still_open(db, pipeline_id);
        if (!pipeline) return false;
        int64_t position = 0;
        bool any_ended = false;  // a no-op job, which succeeds as it is written
        for (const auto& job : jobs) {
            bool ready = job.required_jobs.empty();
            JobState state = ready ? ready_state(*pipeline, job.kind) : JobState::blocked;
            Times times = ready ? ready_times(job.kind, state, now) : Times{};
            pipelines::insert_job(db, pipeline_id,
                                  {.name = job.name,
                                   .position = position++,
                                   .status = state,
                                   .required_jobs = job.required_jobs,
                                   .spec = job.spec,
                                   .started_at = times.started_at,
                                   .finished_at = times.finished_at,
                                   .needed_labels = job.needed_labels,
                                   .kind = job.kind,
                                   .status_requirements = job.status_requirements,
                                   .serial_group = job.serial_group},
                                  now);
            if (ready) queue_ready(db, statuses, *pipeline, job.name, job.kind, state, now);
            any_ended = any_ended || is_terminal(state);
        }
        pipelines::mark_prepared(db, pipeline_id);
        if (jobs.empty()) {
            // Filters selected nothing for this ref: nothing to run is a success.
            transition(db, *pipeline, PipelineState::success, {now, now});
        } else if (any_ended) {
            advance_pipeline(db, statuses, pipeline_id, now);
        }
        return true;
    });
}

void fail_preparation(Database& db, const StatusContext& statuses, PipelineId pipeline_id,
                      const std::string& message, int64_t now) {
    bool failed = db.transaction([&] {
        auto pipeline = still_open(db, pipeline_id);
        if (!pipeline) return false;
        transition(db, *pipeline, PipelineState::error, {.finished_at = now}, message);
        pipelines::mark_prepared(db, pipeline_id);
        queue_status(db, statuses, *pipeline, "config", CommitState::error, message, now);
        return true;
    });
    if (failed) FMG_LOG(warn) << "pipeline=" << pipeline_id << " error: " << message;
}

}  // namespace fmg::coordinator::lifecycle
