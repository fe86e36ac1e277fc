#include "coordinator/lifecycle/progress.h"

#include <algorithm>
#include <map>

#include "coordinator/lifecycle/approval.h"
#include "coordinator/lifecycle/transitions.h"
#include "coordinator/store/pipeline_store.h"
#include "shared/log.h"

namespace fmg::coordinator::lifecycle {
namespace {

/// How a step still running ends with its attempt.
StepState step_end(AttemptState end) {
    switch (end) {
        case AttemptState::cancelled:
            return StepState::cancelled;
        case AttemptState::lost:
            return StepState::lost;
        default:
            return StepState::error;
    }
}

/// The end of a pipeline whose jobs have all ended.
PipelineState pipeline_end(const PipelineRow& pipeline, const std::vector<JobRow>& jobs) {
    auto has = [&](JobState state) {
        return std::any_of(jobs.begin(), jobs.end(),
                           [&](const JobRow& job) { return job.status == state; });
    };
    if (pipeline.cancel_requested) return PipelineState::cancelled;
    if (has(JobState::failed)) return PipelineState::failed;
    if (has(JobState::error)) return PipelineState::error;
    if (has(JobState::cancelled)) return PipelineState::cancelled;
    return PipelineState::success;
}

}  // namespace

bool end_job(Database& db, const StatusContext& statuses, const PipelineRow& pipeline,
             const JobRow& job, JobState end, const std::optional<std::string>& error,
             int64_t now) {
    if (!transition(db, job, end, {.finished_at = now})) return false;
    queue_job_end(db, statuses, pipeline, job, end, error, now);
    return true;
}

void advance_pipeline(Database& db, const StatusContext& statuses, PipelineId pipeline_id,
                      int64_t now) {
    auto pipeline = pipelines::find(db, pipeline_id);
    if (!pipeline) return;
    // Settle blocked jobs until nothing changes (a skip can cascade down a chain). The jobs
    // are read again only after a change: every job's end comes here, and reading all of a
    // wide pipeline's jobs twice per end was the coordinator's largest cost under load.
    auto jobs = pipelines::jobs_of(db, pipeline_id);
    for (bool changed = true; changed;) {
        changed = false;
        std::map<std::string, JobState> state_of;
        for (const auto& job : jobs) state_of[job.name] = job.status;
        for (const auto& job : jobs) {
            if (job.status != JobState::blocked) continue;
            const Readiness readiness_now =
                readiness(job.required_jobs, job.status_requirements,
                          [&](const std::string& name) -> std::optional<JobState> {
                              const auto found = state_of.find(name);
                              if (found == state_of.end()) return std::nullopt;
                              return found->second;
                          });
            // A refused move (a bug, logged) changes nothing, so it must not loop again.
            if (readiness_now == Readiness::never) {
                if (end_job(db, statuses, *pipeline, job, JobState::skipped, std::nullopt, now)) {
                    changed = true;
                }
            } else if (readiness_now == Readiness::ready) {
                // A fork's pipeline not approved as a whole holds it, an approval job waits
                // for a person, a no-op job succeeds here (lifecycle/approval.h).
                JobState ready = ready_state(*pipeline, job.kind);
                if (transition(db, job, ready, ready_times(job.kind, ready, now))) {
                    queue_ready(db, statuses, *pipeline, job.name, job.kind, ready, now);
                    changed = true;
                }
            }
        }
        if (changed) jobs = pipelines::jobs_of(db, pipeline_id);
    }

    bool all_done = std::all_of(jobs.begin(), jobs.end(),
                                [](const JobRow& job) { return is_terminal(job.status); });
    if (!all_done || is_terminal(pipeline->status)) return;
    PipelineState end = pipeline_end(*pipeline, jobs);
    if (transition(db, *pipeline, end, {now, now})) {
        FMG_LOG(info) << "pipeline=" << pipeline_id << " " << to_string(end);
    }
}

void close_running_steps(Database& db, AttemptId attempt_id, AttemptState end, int64_t now) {
    for (const StepRow& step : pipelines::steps_of(db, attempt_id)) {
        if (step.status == StepState::running) {
            transition(db, step, step_end(end), {.finished_at = now});
        }
    }
}

}  // namespace fmg::coordinator::lifecycle
