#include "coordinator/lifecycle/approval.h"

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

/// Moves one held job to the queue, recording who approved it.
bool release(Database& db, const StatusContext& statuses, const PipelineRow& pipeline,
             const JobRow& job, const std::string& approver, int64_t now) {
    if (job.status != JobState::on_hold) return false;
    if (!transition(db, job, JobState::queued, {})) return false;
    pipelines::set_job_approval(db, job.id, approver, now);
    queue_pending(db, statuses, pipeline, job.name, JobState::queued, now,
                  "approved by " + approver);
    return true;
}

std::string pipeline_name(PipelineId id) {
    return "pipeline " + std::to_string(id);
}

}  // namespace

bool holds_for_approval(const PipelineRow& pipeline) {
    return pipeline.fork_repo.has_value() && !pipeline.approved_by.has_value();
}

JobState ready_state(const PipelineRow& pipeline) {
    return holds_for_approval(pipeline) ? JobState::on_hold : JobState::queued;
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
                return refused(ApproveRefusal::nothing_held,
                               "job " + *job_name + " of " + name +
                                   " is not waiting for approval (it is " +
                                   std::string(to_string(job->status)) + ")");
            }
        } else if (!pipeline->fork_repo) {
            return refused(ApproveRefusal::nothing_held,
                           name + " needs no approval: it is not a pull request from a fork");
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
            }
        }
        FMG_LOG(info) << name << (job_name ? " job " + *job_name : std::string()) << " approved by "
                      << approver << ": " << outcome.released.size() << " job(s) queued";
        return outcome;
    });
}

}  // namespace fmg::coordinator::lifecycle
