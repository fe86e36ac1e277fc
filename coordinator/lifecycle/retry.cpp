#include "coordinator/lifecycle/retry.h"

#include <algorithm>
#include <set>

#include "coordinator/lifecycle/approval.h"
#include "coordinator/lifecycle/progress.h"
#include "coordinator/store/pipeline_store.h"
#include "shared/log.h"

namespace fmg::coordinator::lifecycle {

Result<Retried> retry_pipeline(Database& db, const StatusContext& statuses, PipelineId original,
                               int64_t now) {
    return db.transaction([&]() -> Result<Retried> {
        auto pipeline = pipelines::find(db, original);
        if (!pipeline) return Error{"no pipeline " + std::to_string(original)};
        if (!is_terminal(pipeline->status)) {
            return Error{"pipeline " + std::to_string(original) +
                         " has not finished; cancel it or wait"};
        }
        auto jobs = pipelines::jobs_of(db, original);
        // A fork's pull request stays one: its retry waits for approval again (the approval
        // was for that run, and a later role may retry without the right to approve). The
        // retry keeps the pull request's number and the trigger's parameters (a retry whose
        // config is read again, or whose jobs see CIRCLE_PR_NUMBER, needs them).
        PipelineId id = pipelines::insert(db, {.repo = pipeline->repo,
                                               .repo_url = pipeline->repo_url,
                                               .ref = pipeline->ref,
                                               .sha = pipeline->sha,
                                               .trigger = "retry",
                                               .created_at = now,
                                               .retry_of = original,
                                               .fork_repo = pipeline->fork_repo,
                                               .pr_number = pipeline->pr_number,
                                               .parameters = pipeline->parameters,
                                               .from_fork = pipeline->from_fork});
        auto retry = pipelines::find(db, id);
        if (jobs.empty()) return Retried{id, true};

        auto succeeded = [](const JobRow& job) { return job.status == JobState::success; };
        bool all_succeeded = std::all_of(jobs.begin(), jobs.end(), succeeded);
        std::set<std::string> carried;
        if (!all_succeeded) {
            for (const auto& job : jobs) {
                if (succeeded(job)) carried.insert(job.name);
            }
        }
        const std::string note = "retry of #" + std::to_string(original);
        bool any_ended = false;
        for (const auto& job : jobs) {
            if (carried.count(job.name)) {
                // Born ended: it succeeded in the original, and is not run again.
                pipelines::insert_job(
                    db, id,
                    {job.name, job.position, JobState::success, job.required_jobs, job.spec, now,
                     now, job.needed_labels, job.kind, job.status_requirements, job.serial_group},
                    now);
                continue;
            }
            // Only the jobs carried over have ended; the others run again.
            const bool ready = readiness(job.required_jobs, job.status_requirements,
                                         [&](const std::string& name) -> std::optional<JobState> {
                                             return carried.count(name) > 0 ? JobState::success
                                                                            : JobState::blocked;
                                         }) == Readiness::ready;
            JobState state = ready ? ready_state(*retry, job.kind) : JobState::blocked;
            Times times = ready ? ready_times(job.kind, state, now) : Times{};
            pipelines::insert_job(db, id,
                                  {.name = job.name,
                                   .position = job.position,
                                   .status = state,
                                   .required_jobs = job.required_jobs,
                                   .spec = job.spec,
                                   .started_at = times.started_at,
                                   .finished_at = times.finished_at,
                                   .needed_labels = job.needed_labels,
                                   .kind = job.kind,
                                   .status_requirements = job.status_requirements,
                                   .serial_group = job.serial_group},
                                  now);
            if (ready) queue_ready(db, statuses, *retry, job.name, job.kind, state, now, note);
            any_ended = any_ended || is_terminal(state);
        }
        pipelines::mark_prepared(db, id);
        // The jobs after a no-op job, which succeeded as it was written, become ready; a job
        // that accepts only other ends of a job carried over (it succeeded) is skipped.
        const bool any_qualified = std::any_of(jobs.begin(), jobs.end(), [](const JobRow& job) {
            return !job.status_requirements.empty();
        });
        if (any_ended || any_qualified) advance_pipeline(db, statuses, id, now);
        FMG_LOG(info) << "pipeline=" << id << " retries pipeline=" << original << " ("
                      << carried.size() << " job(s) carried over)";
        return Retried{id, false};
    });
}

}  // namespace fmg::coordinator::lifecycle
