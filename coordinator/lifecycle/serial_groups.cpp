#include "coordinator/lifecycle/serial_groups.h"

#include "coordinator/lifecycle/progress.h"
#include "coordinator/store/pipeline_store.h"
#include "shared/log.h"

namespace fmg::coordinator::lifecycle {

bool supersede_if_newer(Database& db, const StatusContext& statuses, JobId job_id, int64_t now) {
    return db.transaction([&] {
        const auto job = pipelines::find_job(db, job_id);
        if (!job || !job->serial_group || job->status != JobState::queued) return false;
        const auto newer =
            pipelines::newer_in_serial_group(db, *job->serial_group, job->pipeline_id);
        if (!newer) return false;
        const auto pipeline = pipelines::find(db, job->pipeline_id);
        const std::string why = "Job " + job->name + " skipped: serial group " +
                                *job->serial_group + " runs pipeline " +
                                std::to_string(newer->pipeline_id) + " instead";
        if (!pipeline || !end_job(db, statuses, *pipeline, *job, JobState::skipped, why, now)) {
            return false;
        }
        FMG_LOG(info) << "pipeline=" << job->pipeline_id << " job=" << job->name
                      << " skipped: serial group " << *job->serial_group << " has job "
                      << newer->name << " of newer pipeline " << newer->pipeline_id;
        advance_pipeline(db, statuses, job->pipeline_id, now);
        return true;
    });
}

}  // namespace fmg::coordinator::lifecycle
