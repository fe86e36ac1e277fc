#pragma once
// The durable changes of preparing a pipeline (coordinator/preparer/): the preparer reads the
// config outside any transaction (a fetch can take minutes), then records what it found with
// one of these operations, each one transaction.

#include <string>
#include <vector>

#include "coordinator/lifecycle/statuses.h"
#include "coordinator/store/database.h"
#include "coordinator/store/rows.h"

namespace fmg::coordinator::lifecycle {

/// A job of a pipeline's config, as the preparer read it.
struct ConfigJob {
    std::string name;
    std::vector<std::string> required_jobs;       // names of the jobs it requires
    std::string spec;                             // JSON, see domain/job_spec.h
    std::vector<std::string> needed_labels = {};  // a runner must carry them all to take it
    JobKind kind = JobKind::build;                // approval and no-op jobs need no runner
    std::vector<StatusRequirement> status_requirements = {};  // qualified required_jobs
    std::optional<std::string> serial_group = std::nullopt;   // lifecycle/serial_groups.h
};

/// Pins the commit a manual trigger's ref points at now.
void pin_commit(Database& db, PipelineId pipeline_id, const std::string& sha);

/// The config was read: writes the jobs in config order, each ready when it requires nothing
/// (queued, or on_hold for a fork's pull request not approved and for an approval job, with a
/// `pending` status; a no-op job succeeded: lifecycle/approval.h), blocked otherwise; marks
/// the pipeline prepared. The jobs after a no-op job that succeeded so become ready too. A config
/// that selects no jobs for the ref ends the pipeline in success (nothing to run). A pipeline that
/// ended while it was prepared (cancelled) is only marked prepared: it gets no jobs. False when
/// nothing but that was written.
bool record_jobs(Database& db, const StatusContext& statuses, PipelineId pipeline_id,
                 const std::vector<ConfigJob>& jobs, int64_t now);

/// The config could not be fetched, read or parsed: ends the pipeline in error with `message`
/// and an `error` status for context fmg/config, and marks it prepared. A pipeline that ended
/// meanwhile is only marked prepared.
void fail_preparation(Database& db, const StatusContext& statuses, PipelineId pipeline_id,
                      const std::string& message, int64_t now);

}  // namespace fmg::coordinator::lifecycle
