// dispatch_job, start_attempt and record_step (operations.h): an attempt from its
// assignment to its last step.

#include "coordinator/lifecycle/operations.h"
#include "coordinator/lifecycle/transitions.h"
#include "coordinator/store/pipeline_store.h"
#include "shared/log.h"

namespace fmg::coordinator::lifecycle {

std::optional<Dispatched> dispatch_job(Database& db, JobId job_id, RunnerId runner_id,
                                       int64_t now) {
    return db.transaction([&]() -> std::optional<Dispatched> {
        auto job = pipelines::find_job(db, job_id);
        if (!job || job->status != JobState::queued) return std::nullopt;
        // One job of a serial group at a time (lifecycle/serial_groups.h).
        if (job->serial_group &&
            pipelines::running_in_serial_group(db, *job->serial_group, job->pipeline_id)) {
            return std::nullopt;
        }
        int64_t number = static_cast<int64_t>(pipelines::attempts_of(db, job_id).size()) + 1;
        AttemptId attempt = pipelines::insert_attempt(db, job_id, number, runner_id, now);
        pipelines::set_current_attempt(db, job_id, attempt);
        transition(db, *job, JobState::running, {.started_at = now});
        auto pipeline = pipelines::find(db, job->pipeline_id);
        if (pipeline && pipeline->status == PipelineState::queued) {
            transition(db, *pipeline, PipelineState::running, {.started_at = now});
        }
        return Dispatched{attempt, number};
    });
}

bool start_attempt(Database& db, AttemptId attempt_id, int64_t now) {
    return db.transaction([&] {
        auto attempt = pipelines::find_attempt(db, attempt_id);
        if (!attempt || attempt->status != AttemptState::assigned) return false;
        return transition(db, *attempt, AttemptState::running, {.started_at = now});
    });
}

bool record_step(Database& db, const StepRow& step) {
    return db.transaction([&] {
        auto current = pipelines::find_step(db, step.attempt_id, step.step_index);
        if (!current) {
            pipelines::insert_step(db, step);
            return true;
        }
        if (is_terminal(current->status) || current->status == step.status) {
            FMG_LOG(info) << "attempt=" << step.attempt_id << " step=" << step.step_index << " is "
                          << to_string(current->status) << " already; " << to_string(step.status)
                          << " dropped";
            return false;
        }
        return transition(db, *current, step.status, {step.started_at, step.finished_at},
                          step.exit_code);
    });
}

}  // namespace fmg::coordinator::lifecycle
