#include "coordinator/lifecycle/approval.h"

#include "coordinator/lifecycle/progress.h"
#include "coordinator/lifecycle/transitions.h"
#include "coordinator/store/pipeline_store.h"
#include "shared/log.h"

namespace fmg::coordinator::lifecycle {
namespace {

ApproveOutcome refused(ApproveRefusal why, std::string message) {
    ApproveOutcome outcome;
    outcome.refused = why;
    outcome.message = std::move(message);
    return outcome;
}

/// Moves one held job to the queue, recording who approved it. Approval jobs are not held
/// for the fork: pass_approval is theirs.
bool release(Database& db, const StatusContext& statuses, const PipelineRow& pipeline,
             const JobRow& job, const std::string& approver, int64_t now) {
    if (job.status != JobState::on_hold || job.kind == JobKind::approval) return false;
    if (!transition(db, job, JobState::queued, {})) return false;
    pipelines::set_job_approval(db, job.id, approver, now);
    queue_pending(db, statuses, pipeline, job.name, JobState::queued, now,
                  "approved by " + approver);
    return true;
}

/// An approval job on hold succeeds, recording who approved it; the jobs requiring it are
/// then settled by the caller (advance_pipeline).
bool pass_approval(Database& db, const StatusContext& statuses, const PipelineRow& pipeline,
                   const JobRow& job, const std::string& approver, int64_t now) {
    if (job.status != JobState::on_hold || job.kind != JobKind::approval) return false;
    if (!transition(db, job, JobState::success, {.finished_at = now})) {
        return false;
    }
    pipelines::set_job_approval(db, job.id, approver, now);
    queue_status(db, statuses, pipeline, job.name, CommitState::success,
                 "Job " + job.name + " approved by " + approver, now);
    return true;
}

std::string pipeline_name(PipelineId id) {
    return "pipeline " + std::to_string(id);
}

/// Why a job is not waiting for approval, for the 409: its state, and who approved it when
/// somebody did.
std::string not_held_message(const JobRow& job, const std::string& pipeline) {
    std::string message = "job " + job.name + " of " + pipeline +
                          " is not waiting for approval (it is " +
                          std::string(to_string(job.status));
    if (job.approved_by) message += ", approved by " + *job.approved_by;
    return message + ")";
}

/// Why a pipeline that is not a fork's needs no approval as a whole; names its approval jobs
/// on hold, which are approved one by one.
std::string not_a_fork_message(Database& db, const PipelineRow& pipeline) {
    const std::string name = pipeline_name(pipeline.id);
    std::string message = name + " needs no approval: it is not a pull request from a fork";
    for (const JobRow& job : pipelines::jobs_of(db, pipeline.id)) {
        if (job.kind != JobKind::approval || job.status != JobState::on_hold) continue;
        message += "; its approval job " + job.name + " is approved by name: fmg approve " +
                   std::to_string(pipeline.id) + " " + job.name;
        break;
    }
    return message;
}

}  // namespace

bool holds_for_approval(const PipelineRow& pipeline) {
    return pipeline.fork_repo.has_value() && !pipeline.approved_by.has_value();
}

JobState ready_state(const PipelineRow& pipeline, JobKind kind) {
    switch (kind) {
        case JobKind::approval:
            return JobState::on_hold;
        case JobKind::no_op:
            return JobState::success;
        case JobKind::build:
            break;
    }
    return holds_for_approval(pipeline) ? JobState::on_hold : JobState::queued;
}

Times ready_times(JobKind kind, JobState ready, int64_t now) {
    if (kind == JobKind::no_op && ready == JobState::success) {
        return {.started_at = now, .finished_at = now};
    }
    if (kind == JobKind::approval && ready == JobState::on_hold) return {.started_at = now};
    return {};
}

ApproveOutcome approve(Database& db, const StatusContext& statuses, PipelineId pipeline_id,
                       const std::optional<std::string>& job_name, const std::string& approver,
                       int64_t now) {
    return db.transaction([&]() -> ApproveOutcome {
        auto pipeline = pipelines::find(db, pipeline_id);
        if (!pipeline)
            return refused(ApproveRefusal::no_pipeline, "no " + pipeline_name(pipeline_id));
        const std::string name = pipeline_name(pipeline_id);
        if (job_name) {
            auto job = pipelines::find_job_by_name(db, pipeline_id, *job_name);
            if (!job) {
                return refused(ApproveRefusal::no_job, name + " has no job '" + *job_name + "'");
            }
            if (job->status != JobState::on_hold) {
                return refused(ApproveRefusal::nothing_held, not_held_message(*job, name));
            }
        } else if (!pipeline->fork_repo) {
            return refused(ApproveRefusal::nothing_held, not_a_fork_message(db, *pipeline));
        } else if (pipeline->approved_by) {
            return refused(ApproveRefusal::nothing_held,
                           name + " was approved already, by " + *pipeline->approved_by);
        }
        // A cancel is recorded before the event loop carries it out: approving then would
        // queue jobs the loop is about to cancel.
        if (pipeline->cancel_requested) {
            return refused(ApproveRefusal::nothing_held,
                           name + " is cancelled; nothing to approve");
        }
        if (is_terminal(pipeline->status)) {
            return refused(ApproveRefusal::nothing_held,
                           name + " has ended (" + std::string(to_string(pipeline->status)) +
                               "); nothing to approve");
        }

        ApproveOutcome outcome;
        if (!job_name) pipelines::set_pipeline_approval(db, pipeline_id, approver, now);
        for (const auto& job : pipelines::jobs_of(db, pipeline_id)) {
            if (job_name && job.name != *job_name) continue;
            if (release(db, statuses, *pipeline, job, approver, now)) {
                outcome.released.push_back(job.name);
            } else if (job_name && pass_approval(db, statuses, *pipeline, job, approver, now)) {
                outcome.passed.push_back(job.name);
            }
        }
        // The jobs requiring a passed approval job become ready (or the pipeline ends).
        if (!outcome.passed.empty()) advance_pipeline(db, statuses, pipeline_id, now);
        FMG_LOG(info) << name << (job_name ? " job " + *job_name : std::string()) << " approved by "
                      << approver << ": " << outcome.released.size() << " job(s) queued, "
                      << outcome.passed.size() << " approval job(s) passed";
        return outcome;
    });
}

}  // namespace fmg::coordinator::lifecycle
