#pragma once
// What the operations that end attempts and jobs share (finish.cpp, lose.cpp, cancel.cpp).
// Each runs inside its caller's transaction.

#include <optional>
#include <string>

#include "coordinator/lifecycle/statuses.h"
#include "coordinator/store/database.h"
#include "coordinator/store/rows.h"

namespace fmg::coordinator::lifecycle {

/// Moves a job to an end state and queues its final status. False when the move was refused.
bool end_job(Database& db, const StatusContext& statuses, const PipelineRow& pipeline,
             const JobRow& job, JobState end, const std::optional<std::string>& error, int64_t now);

/// After a job ended: unblocks (or holds, lifecycle/approval.h) or skips its dependants, and
/// ends the pipeline when all its jobs have.
void advance_pipeline(Database& db, const StatusContext& statuses, PipelineId pipeline_id,
                      int64_t now);

/// Ends the attempt's steps still running, as the attempt ended (`end`: cancelled, error or
/// lost): the attempt ended without their result.
void close_running_steps(Database& db, AttemptId attempt_id, AttemptState end, int64_t now);

}  // namespace fmg::coordinator::lifecycle
