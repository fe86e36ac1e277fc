#include "coordinator/lifecycle/approval.h"

#include "coordinator/constants.h"
#include "coordinator/store/outbox_store.h"
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

void queue_pending(Database& db, const StatusContext& statuses, const PipelineRow& pipeline,
                   const std::string& job, const std::string& description, int64_t now) {
    if (pipeline.sha.empty()) return;
    outbox::add(
        db,
        {pipeline.repo, pipeline.sha, "fmg/" + job, "pending", status_description(description),
         statuses.public_url + "/api/v1/pipelines/" + std::to_string(pipeline.id)},
        now);
}

/// Moves one held job to the queue, recording who approved it.
bool release(Database& db, const StatusContext& statuses, const PipelineRow& pipeline,
             const JobRow& job, const std::string& approver, int64_t now) {
    auto from = parse_job_state(job.status);
    if (!from || !can_transition(*from, JobState::queued) || *from != JobState::on_hold) {
        return false;
    }
    pipelines::set_job_status(db, job.id, std::string(to_string(JobState::queued)), std::nullopt,
                              std::nullopt);
    pipelines::set_job_approval(db, job.id, approver, now);
    queue_pending(db, statuses, pipeline, job.name,
                  "Job " + job.name + " is queued (approved by " + approver + ")", now);
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

std::string ready_description(const PipelineRow& pipeline, const std::string& job) {
    if (!holds_for_approval(pipeline)) return "Job " + job + " is queued";
    const std::string prefix = "waiting for approval: pull request from ";
    const std::string command = " (fmg approve " + std::to_string(pipeline.id) + ")";
    std::string fork =
        pipeline.fork_repo->empty() ? "a deleted fork" : "fork " + *pipeline.fork_repo;
    // GitHub names are ASCII (github/names.h): bytes are characters here.
    size_t room = kMaxStatusDescription - prefix.size() - command.size();
    if (fork.size() > room) fork = fork.substr(0, room - 3) + "...";
    return prefix + fork + command;
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
            if (job->status != to_string(JobState::on_hold)) {
                return refused(ApproveRefusal::nothing_held,
                               "job " + *job_name + " of " + name +
                                   " is not waiting for approval (it is " + job->status + ")");
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
        if (is_terminal(*parse_pipeline_state(pipeline->status))) {
            return refused(ApproveRefusal::nothing_held,
                           name + " has ended (" + pipeline->status + "); nothing to approve");
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
