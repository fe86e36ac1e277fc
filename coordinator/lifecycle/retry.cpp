#include "coordinator/lifecycle/retry.h"

#include <algorithm>
#include <set>

#include "coordinator/lifecycle/approval.h"
#include "coordinator/store/outbox_store.h"
#include "coordinator/store/pipeline_store.h"
#include "shared/log.h"

namespace fmg::coordinator::lifecycle {

Result<Retried> retry_pipeline(Database& db, const StatusContext& statuses, PipelineId original,
                               int64_t now) {
    return db.transaction([&]() -> Result<Retried> {
        auto pipeline = pipelines::find(db, original);
        if (!pipeline) return Error{"no pipeline " + std::to_string(original)};
        if (!is_terminal(*parse_pipeline_state(pipeline->status))) {
            return Error{"pipeline " + std::to_string(original) +
                         " has not finished; cancel it or wait"};
        }
        auto jobs = pipelines::jobs_of(db, original);
        // A fork's pull request stays one: its retry waits for approval again (the approval
        // was for that run, and a later role may retry without the right to approve).
        PipelineId id =
            pipelines::insert(db, {pipeline->repo, pipeline->repo_url, pipeline->ref, pipeline->sha,
                                   "retry", now, original, pipeline->fork_repo});
        auto retry = pipelines::find(db, id);
        if (jobs.empty()) return Retried{id, true};

        bool all_succeeded = std::all_of(jobs.begin(), jobs.end(),
                                         [](const JobRow& job) { return job.status == "success"; });
        std::set<std::string> carried;
        if (!all_succeeded) {
            for (const auto& job : jobs) {
                if (job.status == "success") carried.insert(job.name);
            }
        }
        for (const auto& job : jobs) {
            std::string status;
            if (carried.count(job.name)) {
                status = "success";
            } else {
                bool ready =
                    std::all_of(job.required_jobs.begin(), job.required_jobs.end(),
                                [&](const std::string& r) { return carried.count(r) > 0; });
                status = std::string(to_string(ready ? ready_state(*retry) : JobState::blocked));
            }
            JobId new_job = pipelines::insert_job(
                db, id, {job.name, job.position, status, job.required_jobs, job.spec}, now);
            if (status == "success") {
                pipelines::set_job_status(db, new_job, "success", now, now);
            } else if (status != "blocked") {
                std::string description = status == "queued"
                                              ? "Job " + job.name + " is queued (retry of #" +
                                                    std::to_string(original) + ")"
                                              : ready_description(*retry, job.name);
                outbox::add(db,
                            {pipeline->repo, pipeline->sha, "fmg/" + job.name, "pending",
                             status_description(description),
                             statuses.public_url + "/api/v1/pipelines/" + std::to_string(id)},
                            now);
            }
        }
        pipelines::mark_prepared(db, id);
        FMG_LOG(info) << "pipeline=" << id << " retries pipeline=" << original << " ("
                      << carried.size() << " job(s) carried over)";
        return Retried{id, false};
    });
}

}  // namespace fmg::coordinator::lifecycle
