#pragma once
// Reads and writes of pipelines, jobs, attempts and their steps. Each function is one
// statement or a small group; callers group them into one transaction per durable change.

#include <optional>
#include <string>
#include <vector>

#include "coordinator/store/database.h"
#include "coordinator/store/rows.h"

namespace fmg::coordinator::pipelines {

struct NewPipeline {
    std::string repo;
    std::string repo_url;
    std::string ref;
    std::string sha;
    std::string trigger;
    int64_t created_at = 0;
    std::optional<PipelineId> retry_of;
    // Set for a fork's pull request whose jobs wait for approval (PipelineRow::fork_repo).
    std::optional<std::string> fork_repo = std::nullopt;
};

PipelineId insert(Database& db, const NewPipeline& pipeline);
std::optional<PipelineRow> find(Database& db, PipelineId id);

struct ListFilter {
    int64_t limit = 20;
    std::optional<std::string> status;
    std::optional<std::string> repo;
    std::optional<std::string> sha;
};
/// Newest first, with the total number matching the filter (ignoring the limit).
std::pair<int64_t, std::vector<PipelineRow>> list(Database& db, const ListFilter& filter);

/// Pipelines accepted but not yet prepared (config not read), oldest first.
std::vector<PipelineId> unprepared(Database& db);
void set_sha(Database& db, PipelineId id, const std::string& sha);
void mark_prepared(Database& db, PipelineId id);
void set_status(Database& db, PipelineId id, const std::string& status,
                const std::optional<std::string>& error, std::optional<int64_t> started_at,
                std::optional<int64_t> finished_at);
/// Records why a pipeline ended badly, unless it already says why.
void set_error_if_unset(Database& db, PipelineId id, const std::string& error);
void request_cancel(Database& db, PipelineId id);
std::vector<PipelineId> with_cancel_requested(Database& db);
std::vector<std::string> failed_job_names(Database& db, PipelineId id);
/// Names of the pipeline's jobs on hold (waiting for approval), in config order.
std::vector<std::string> held_job_names(Database& db, PipelineId id);
/// Records who approved the whole pipeline, and when.
void set_pipeline_approval(Database& db, PipelineId id, const std::string& by, int64_t at);

struct NewJob {
    std::string name;
    int64_t position = 0;
    std::string status;
    std::vector<std::string> required_jobs;  // names of the jobs it requires
    std::string spec;
};
JobId insert_job(Database& db, PipelineId pipeline_id, const NewJob& job, int64_t now);
std::vector<JobRow> jobs_of(Database& db, PipelineId pipeline_id);
std::optional<JobRow> find_job(Database& db, JobId id);
std::optional<JobRow> find_job_by_name(Database& db, PipelineId pipeline_id,
                                       const std::string& name);
/// Queued jobs of running or queued pipelines, oldest pipeline first, in config order.
std::vector<JobRow> queued_jobs(Database& db, int64_t limit);
void set_job_status(Database& db, JobId id, const std::string& status,
                    std::optional<int64_t> started_at, std::optional<int64_t> finished_at);
void set_current_attempt(Database& db, JobId id, AttemptId attempt_id);
/// Records who released the job from on_hold, and when.
void set_job_approval(Database& db, JobId id, const std::string& by, int64_t at);

AttemptId insert_attempt(Database& db, JobId job_id, int64_t number, RunnerId runner_id,
                         int64_t now);
std::optional<AttemptRow> find_attempt(Database& db, AttemptId id);
std::vector<AttemptRow> attempts_of(Database& db, JobId job_id);
/// Attempts that are assigned or running, with the runner they were given to.
std::vector<AttemptRow> active_attempts(Database& db);
/// The same, of one runner only (what a hello reconciles).
std::vector<AttemptRow> active_attempts_of(Database& db, RunnerId runner_id);
void set_attempt_status(Database& db, AttemptId id, const std::string& status,
                        const std::optional<std::string>& error, std::optional<int64_t> started_at,
                        std::optional<int64_t> finished_at);
/// Commits where the attempt's log stands (one statement, so head and tail move together).
void set_attempt_log(Database& db, AttemptId id, const LogIndex& log);

void upsert_step(Database& db, const StepRow& step);
/// Ends the attempt's steps still marked running (the attempt ended without their result).
void close_running_steps(Database& db, AttemptId attempt_id, const std::string& status,
                         int64_t now);
std::vector<StepRow> steps_of(Database& db, AttemptId attempt_id);

}  // namespace fmg::coordinator::pipelines
