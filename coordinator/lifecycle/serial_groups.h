#pragma once
// CircleCI's `serial-group`: the jobs of one group (a key of the config, the same in any
// repository) run one pipeline at a time across every pipeline of the coordinator. The group
// is held by a pipeline while any of its jobs of the group runs: its own jobs of the group
// (the nodes of a parallel job, or a second job the workflow orders after the first) run as
// the workflow says, and no lock is partial; other pipelines' wait. Dispatch gives the turn to
// no job of another pipeline meanwhile (store: queued_jobs_offered and running_in_serial_group,
// which dispatch_job checks). The
// newest pipeline goes first: a job whose group has a job of a newer pipeline that is queued or has
// started is skipped instead of run, so older code never deploys after newer code (CircleCI's
// pipeline order protection).

#include <optional>
#include <string>

#include "coordinator/lifecycle/statuses.h"
#include "coordinator/store/database.h"
#include "coordinator/store/rows.h"

namespace fmg::coordinator::lifecycle {

/// Before the queued job `job_id` of a serial group takes its turn: when a job of its group
/// from a newer pipeline is queued or has started, ends the job `skipped` (one transaction,
/// its pipeline advanced as after any job's end) and says true. False (nothing written) for
/// a job to run, one of no group, or one no longer queued.
bool supersede_if_newer(Database& db, const StatusContext& statuses, JobId job_id, int64_t now);

}  // namespace fmg::coordinator::lifecycle
