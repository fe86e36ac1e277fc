#pragma once
// Pull requests from forks wait for a person's approval (docs/security.md "Code from pull
// requests: forks and approval"). Their pipeline is created and its config read as usual,
// but each job that would be queued is put `on_hold` instead, with a `pending` GitHub status
// saying what to run (lifecycle::pending_description); approving releases the held jobs to
// the queue. Approving the whole
// pipeline also lets the jobs that become ready later go straight to the queue; approving
// one job releases that job only.
//
// An approval job (a workflow entry `type: approval`, JobKind::approval) is held too, in any
// pipeline: it goes on_hold once what it requires succeeded, runs nothing, and approving it
// (by name) makes it succeed, so the jobs that require it become ready. Approving a fork's
// pipeline as a whole never approves an approval job.

#include <optional>
#include <string>
#include <vector>

#include "coordinator/lifecycle/statuses.h"
#include "coordinator/lifecycle/transitions.h"

namespace fmg::coordinator::lifecycle {

/// Whether the pipeline's ready jobs must wait for approval: a fork's pull request
/// (fork_repo set) not yet approved as a whole.
bool holds_for_approval(const PipelineRow& pipeline);

/// The state a job of kind `kind` of `pipeline` takes when it is ready: an approval job
/// on_hold, a no-op job success, any other on_hold while holds_for_approval, else queued.
JobState ready_state(const PipelineRow& pipeline, JobKind kind);

/// The times a job of kind `kind` records as it becomes ready in `ready` (ready_state): an
/// approval job's wait is the job, so it starts now; a no-op job starts and ends now; any
/// other starts when it runs.
Times ready_times(JobKind kind, JobState ready, int64_t now);

/// Why approve() did nothing, as the API tells it (404 or 409).
enum class ApproveRefusal {
    no_pipeline,   // no pipeline with that id
    no_job,        // the pipeline has no job of that name
    nothing_held,  // nothing waits for approval (not a fork's, approved already, or ended)
};

struct ApproveOutcome {
    std::vector<std::string> released;  // the jobs moved from on_hold to queued
    std::vector<std::string> passed;    // the approval jobs moved from on_hold to success
    std::optional<ApproveRefusal> refused;
    std::string message;  // why it was refused, for people
};

/// Approves a held pipeline (job = nullopt) or one held job, as `approver`, in one
/// transaction: each released job goes on_hold -> queued (lifecycle::transition), records
/// who approved it and when, and gets a `pending` "queued (approved by NAME)" status. A whole
/// approval is recorded on the pipeline too, and leaves approval jobs on hold. An approval job
/// named by `job` goes on_hold -> success instead, records who approved it, gets a `success`
/// status "Job NAME approved by WHO", and the jobs requiring it become ready (advance_pipeline:
/// the pipeline ends when nothing else is left). Refuses, changing nothing, when there is no
/// such pipeline or job, or nothing to approve: the pipeline is not a fork's waiting for
/// approval, was approved already, is cancelled or has ended, or the job is not on_hold.
ApproveOutcome approve(Database& db, const StatusContext& statuses, PipelineId pipeline_id,
                       const std::optional<std::string>& job, const std::string& approver,
                       int64_t now);

}  // namespace fmg::coordinator::lifecycle
