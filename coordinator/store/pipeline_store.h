#pragma once
// Reads and writes of pipelines, jobs, attempts and their steps. Each function is one
// statement or a small group; callers group them into one transaction per durable change
// (coordinator/lifecycle/). The set_*_status writers are for lifecycle::transition only: each
// changes the state only if it is still `from` and says whether it did; which moves are
// allowed is decided there (coordinator/domain/states.h), not here.

#include <map>
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
    std::optional<int64_t> pr_number = std::nullopt;     // a pull_request pipeline's number
    std::map<std::string, std::string> parameters = {};  // pipeline parameters given
    bool from_fork = false;  // a fork's pull request, trusted or not: it gets no secrets
};

PipelineId insert(Database& db, const NewPipeline& pipeline);
std::optional<PipelineRow> find(Database& db, PipelineId id);

struct ListFilter {
    int64_t limit = 20;
    std::optional<PipelineState> status;
    std::optional<std::string> repo;
    std::optional<std::string> sha;
};
/// Newest first, with the total number matching the filter (ignoring the limit).
std::pair<int64_t, std::vector<PipelineRow>> list(Database& db, const ListFilter& filter);

/// Pipelines accepted but not yet prepared (config not read), oldest first.
std::vector<PipelineId> unprepared(Database& db);
void set_sha(Database& db, PipelineId id, const std::string& sha);
void mark_prepared(Database& db, PipelineId id);
/// Moves the pipeline from `from` to `to`, recording `error` and the first start and the end
/// when given. False when its state was not `from`.
bool set_status(Database& db, PipelineId id, PipelineState from, PipelineState to,
                const std::optional<std::string>& error, std::optional<int64_t> started_at,
                std::optional<int64_t> finished_at);
/// Records why a pipeline ended badly, unless it already says why.
void set_error_if_unset(Database& db, PipelineId id, const std::string& error);
/// Records that a user asked to cancel it (lifecycle::request_cancel).
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
    JobState status = JobState::blocked;
    std::vector<std::string> required_jobs;  // names of the jobs it requires
    std::string spec;
    // Set for a job born ended (a retry carries over a job that succeeded).
    std::optional<int64_t> started_at = std::nullopt;
    std::optional<int64_t> finished_at = std::nullopt;
    std::vector<std::string> needed_labels = {};  // labels its runner must carry
    JobKind kind = JobKind::build;
    std::vector<StatusRequirement> status_requirements = {};  // see JobRow
    std::optional<std::string> serial_group = std::nullopt;
};
JobId insert_job(Database& db, PipelineId pipeline_id, const NewJob& job, int64_t now);
std::vector<JobRow> jobs_of(Database& db, PipelineId pipeline_id);
std::optional<JobRow> find_job(Database& db, JobId id);
/// A running job of a serial group from a pipeline other than `other_than`, if any: the
/// group's holder (lifecycle/serial_groups.h).
std::optional<JobRow> running_in_serial_group(Database& db, const std::string& group,
                                              PipelineId other_than);

/// The newest job of a serial group from a pipeline after `pipeline_id` that is queued or has
/// started (ended or not), if any: the one that supersedes older pipelines' jobs.
std::optional<JobRow> newer_in_serial_group(Database& db, const std::string& group,
                                            PipelineId pipeline_id);
std::optional<JobRow> find_job_by_name(Database& db, PipelineId pipeline_id,
                                       const std::string& name);
/// Queued jobs of running or queued pipelines, oldest pipeline first, in config order.
std::vector<JobRow> queued_jobs(Database& db, int64_t limit);
/// A place in the queue's order: a job's pipeline and position.
struct QueuePlace {
    PipelineId pipeline_id = 0;
    int64_t position = 0;
};
/// As queued_jobs, but only the jobs after `after` (all when nullopt) whose needed labels are
/// all in `offered` (the labels of the runners with a free slot): the others cannot be
/// dispatched now, and the query skips them without reading their specs.
std::vector<JobRow> queued_jobs_offered(Database& db, const std::vector<std::string>& offered,
                                        const std::optional<QueuePlace>& after, int64_t limit);
/// Moves the job from `from` to `to`, recording its first start when given; its end is set
/// to `finished_at` (cleared when nullopt: a job queued again has not ended). False when its
/// state was not `from`.
bool set_job_status(Database& db, JobId id, JobState from, JobState to,
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
/// Moves the attempt from `from` to `to`, recording `error`, its start and its end when
/// given. False when its state was not `from`.
bool set_attempt_status(Database& db, AttemptId id, AttemptState from, AttemptState to,
                        const std::optional<std::string>& error, std::optional<int64_t> started_at,
                        std::optional<int64_t> finished_at);
/// Commits where the attempt's log stands (one statement, so head and tail move together).
void set_attempt_log(Database& db, AttemptId id, const LogIndex& log);

/// Writes a step's first row (it started, or it ended without its start being reported).
void insert_step(Database& db, const StepRow& step);
std::optional<StepRow> find_step(Database& db, AttemptId attempt_id, int64_t step_index);
/// Moves the step from `from` to `step.status`, recording its exit code, start and end when
/// given. False when its state was not `from`.
bool set_step_status(Database& db, StepState from, const StepRow& step);
std::vector<StepRow> steps_of(Database& db, AttemptId attempt_id);

}  // namespace fmg::coordinator::pipelines
