#pragma once
// Pull requests from forks wait for a person's approval (docs/security.md "Code from pull
// requests: forks and approval"). Their pipeline is created and its config read as usual,
// but each job that would be queued is put `on_hold` instead, with a `pending` GitHub status
// saying what to run (lifecycle::pending_description); approving releases the held jobs to
// the queue. Approving the whole
// pipeline also lets the jobs that become ready later go straight to the queue; approving
// one job releases that job only.

#include <optional>
#include <string>
#include <vector>

#include "coordinator/lifecycle/statuses.h"

namespace fmg::coordinator::lifecycle {

/// Whether the pipeline's ready jobs must wait for approval: a fork's pull request
/// (fork_repo set) not yet approved as a whole.
bool holds_for_approval(const PipelineRow& pipeline);

/// The state a job of `pipeline` takes when it is ready to run: on_hold or queued.
JobState ready_state(const PipelineRow& pipeline);

/// Why approve() did nothing, as the API tells it (404 or 409).
enum class ApproveRefusal {
    no_pipeline,   // no pipeline with that id
    no_job,        // the pipeline has no job of that name
    nothing_held,  // nothing waits for approval (not a fork's, approved already, or ended)
};

struct ApproveOutcome {
    std::vector<std::string> released;  // the jobs moved from on_hold to queued
    std::optional<ApproveRefusal> refused;
    std::string message;  // why it was refused, for people
};

/// Approves a held pipeline (job = nullopt) or one held job, as `approver`, in one
/// transaction: each released job goes on_hold -> queued (lifecycle::transition), records
/// who approved it and when, and gets a `pending` "queued (approved by NAME)" status. A whole
/// approval is recorded on the pipeline too. Refuses, changing nothing, when there is no such
/// pipeline or job, or nothing to approve: the pipeline is not a fork's waiting for approval, was
/// approved already, is cancelled or has ended, or the job is not on_hold.
ApproveOutcome approve(Database& db, const StatusContext& statuses, PipelineId pipeline_id,
                       const std::optional<std::string>& job, const std::string& approver,
                       int64_t now);

}  // namespace fmg::coordinator::lifecycle
