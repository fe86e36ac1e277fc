#include "coordinator/lifecycle/operations.h"

#include <algorithm>
#include <map>

#include "coordinator/constants.h"
#include "coordinator/lifecycle/approval.h"
#include "coordinator/store/outbox_store.h"
#include "coordinator/store/pipeline_store.h"
#include "shared/log.h"

namespace fmg::coordinator::lifecycle {
namespace {

std::string target_url(const StatusContext& statuses, PipelineId id) {
    return statuses.public_url + "/api/v1/pipelines/" + std::to_string(id);
}

void queue_status(Database& db, const StatusContext& statuses, const PipelineRow& pipeline,
                  const std::string& job, const std::string& state, const std::string& description,
                  int64_t now) {
    if (pipeline.sha.empty()) return;
    outbox::add(db,
                {pipeline.repo, pipeline.sha, "fmg/" + job, state, status_description(description),
                 target_url(statuses, pipeline.id)},
                now);
}

/// GitHub's status for a job that ended in `state`.
std::string github_state(JobState state) {
    switch (state) {
        case JobState::success:
            return "success";
        case JobState::failed:
            return "failure";
        default:
            return "error";
    }
}

std::string end_description(const JobRow& job, JobState state,
                            const std::optional<std::string>& error) {
    switch (state) {
        case JobState::success:
            return "Job " + job.name + " passed";
        case JobState::failed:
            return "Job " + job.name + " failed";
        case JobState::cancelled:
            return "Job " + job.name + " was cancelled";
        default:
            return error ? *error : "Job " + job.name + " errored";
    }
}

/// Moves a job to an end state and queues its final status (skipped jobs never got a
/// pending status, so they get none).
void end_job(Database& db, const StatusContext& statuses, const PipelineRow& pipeline,
             const JobRow& job, JobState state, const std::optional<std::string>& error,
             int64_t now) {
    pipelines::set_job_status(db, job.id, std::string(to_string(state)), std::nullopt, now);
    bool was_announced = job.status != "blocked";
    if (state != JobState::skipped && was_announced) {
        queue_status(db, statuses, pipeline, job.name, github_state(state),
                     end_description(job, state, error), now);
    }
}

/// After a job ended: unblock or skip dependants, and end the pipeline when all are done.
void advance_pipeline(Database& db, const StatusContext& statuses, PipelineId pipeline_id,
                      int64_t now) {
    auto pipeline = pipelines::find(db, pipeline_id);
    if (!pipeline) return;
    // Settle blocked jobs until nothing changes (a skip can cascade down a chain). The jobs
    // are read again only after a change: every job's end comes here, and reading all of a
    // wide pipeline's jobs twice per end was the coordinator's largest cost under load.
    auto jobs = pipelines::jobs_of(db, pipeline_id);
    for (bool changed = true; changed;) {
        changed = false;
        std::map<std::string, JobState> state_of;
        for (const auto& job : jobs) state_of[job.name] = *parse_job_state(job.status);
        for (const auto& job : jobs) {
            if (state_of[job.name] != JobState::blocked) continue;
            bool all_succeeded = true;
            bool any_ended_badly = false;
            for (const auto& required : job.required_jobs) {
                JobState s = state_of.count(required) ? state_of[required] : JobState::success;
                all_succeeded = all_succeeded && s == JobState::success;
                any_ended_badly = any_ended_badly || (is_terminal(s) && s != JobState::success);
            }
            if (any_ended_badly) {
                end_job(db, statuses, *pipeline, job, JobState::skipped, std::nullopt, now);
                changed = true;
            } else if (all_succeeded) {
                // A fork's pipeline not approved as a whole holds it (lifecycle/approval.h).
                pipelines::set_job_status(db, job.id,
                                          std::string(to_string(ready_state(*pipeline))),
                                          std::nullopt, std::nullopt);
                queue_status(db, statuses, *pipeline, job.name, "pending",
                             ready_description(*pipeline, job.name), now);
                changed = true;
            }
        }
        if (changed) jobs = pipelines::jobs_of(db, pipeline_id);
    }

    bool all_done = std::all_of(jobs.begin(), jobs.end(), [](const JobRow& job) {
        return is_terminal(*parse_job_state(job.status));
    });
    if (!all_done || is_terminal(*parse_pipeline_state(pipeline->status))) return;
    auto has = [&](const char* state) {
        return std::any_of(jobs.begin(), jobs.end(),
                           [&](const JobRow& job) { return job.status == state; });
    };
    PipelineState end = PipelineState::success;
    if (pipeline->cancel_requested)
        end = PipelineState::cancelled;
    else if (has("failed"))
        end = PipelineState::failed;
    else if (has("error"))
        end = PipelineState::error;
    else if (has("cancelled"))
        end = PipelineState::cancelled;
    pipelines::set_status(db, pipeline_id, std::string(to_string(end)), std::nullopt, now, now);
    FMG_LOG(info) << "pipeline=" << pipeline_id << " " << to_string(end);
}

}  // namespace

std::string status_description(const std::string& text) {
    // GitHub counts characters; cut on a UTF-8 character boundary, never inside one.
    auto is_continuation = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; };
    size_t characters = 0;
    size_t cut = 0;  // byte offset after the (limit - 3)th character
    for (size_t i = 0; i < text.size(); ++i) {
        if (is_continuation(text[i])) continue;
        if (characters == kMaxStatusDescription - 3) cut = i;
        ++characters;
    }
    if (characters <= kMaxStatusDescription) return text;
    return text.substr(0, cut) + "...";
}

std::optional<Dispatched> dispatch_job(Database& db, JobId job_id, RunnerId runner_id,
                                       int64_t now) {
    return db.transaction([&]() -> std::optional<Dispatched> {
        auto job = pipelines::find_job(db, job_id);
        if (!job || job->status != "queued") return std::nullopt;
        int64_t number = static_cast<int64_t>(pipelines::attempts_of(db, job_id).size()) + 1;
        AttemptId attempt = pipelines::insert_attempt(db, job_id, number, runner_id, now);
        pipelines::set_current_attempt(db, job_id, attempt);
        pipelines::set_job_status(db, job_id, "running", now, std::nullopt);
        auto pipeline = pipelines::find(db, job->pipeline_id);
        if (pipeline && pipeline->status == "queued") {
            pipelines::set_status(db, pipeline->id, "running", std::nullopt, now, std::nullopt);
        }
        return Dispatched{attempt, number};
    });
}

bool start_attempt(Database& db, AttemptId attempt_id, int64_t now) {
    return db.transaction([&] {
        auto attempt = pipelines::find_attempt(db, attempt_id);
        if (!attempt || attempt->status != "assigned") return false;
        pipelines::set_attempt_status(db, attempt_id, "running", std::nullopt, now, std::nullopt);
        return true;
    });
}

void record_step(Database& db, const StepRow& step) {
    pipelines::upsert_step(db, step);
}

bool finish_attempt(Database& db, const StatusContext& statuses, AttemptId attempt_id,
                    AttemptState end, const std::optional<std::string>& error, int64_t now) {
    return db.transaction([&] {
        auto attempt = pipelines::find_attempt(db, attempt_id);
        if (!attempt) return false;
        auto from = parse_attempt_state(attempt->status);
        if (!from || !can_transition(*from, end)) return false;
        auto job = pipelines::find_job(db, attempt->job_id);
        if (!job || job->current_attempt_id != attempt_id) return false;
        pipelines::set_attempt_status(db, attempt_id, std::string(to_string(end)), error, now, now);
        // A cancelled or broken attempt may end without its running step's result.
        if (end == AttemptState::cancelled || end == AttemptState::error) {
            pipelines::close_running_steps(db, attempt_id, std::string(to_string(end)), now);
        }

        JobState job_end = JobState::error;
        if (end == AttemptState::success)
            job_end = JobState::success;
        else if (end == AttemptState::failed)
            job_end = JobState::failed;
        else if (end == AttemptState::cancelled)
            job_end = JobState::cancelled;
        auto pipeline = pipelines::find(db, job->pipeline_id);
        if (!pipeline) return false;
        end_job(db, statuses, *pipeline, *job, job_end, error, now);
        advance_pipeline(db, statuses, job->pipeline_id, now);
        return true;
    });
}

void lose_attempt(Database& db, const StatusContext& statuses, AttemptId attempt_id,
                  AttemptState end, const std::string& reason, int64_t max_attempts, int64_t now) {
    db.transaction([&] {
        auto attempt = pipelines::find_attempt(db, attempt_id);
        if (!attempt || is_terminal(*parse_attempt_state(attempt->status))) return;
        pipelines::set_attempt_status(db, attempt_id, std::string(to_string(end)), reason,
                                      std::nullopt, now);
        pipelines::close_running_steps(db, attempt_id, std::string(to_string(end)), now);
        auto job = pipelines::find_job(db, attempt->job_id);
        if (!job || job->current_attempt_id != attempt_id || job->status != "running") return;
        auto pipeline = pipelines::find(db, job->pipeline_id);
        if (!pipeline) return;
        if (attempt->number < max_attempts && !pipeline->cancel_requested) {
            pipelines::set_job_status(db, job->id, "queued", std::nullopt, std::nullopt);
            FMG_LOG(info) << "pipeline=" << pipeline->id << " job=" << job->name
                          << " attempt=" << attempt_id << " " << to_string(end) << " (" << reason
                          << "); requeued for attempt " << attempt->number + 1;
            return;
        }
        std::string message = "gave up after " + std::to_string(attempt->number) +
                              " attempt(s); the last one: " + reason;
        end_job(db, statuses, *pipeline, *job, JobState::error, message, now);
        pipelines::set_error_if_unset(db, pipeline->id, "job " + job->name + ": " + message);
        advance_pipeline(db, statuses, pipeline->id, now);
    });
}

std::vector<AttemptRow> cancel_pipeline(Database& db, const StatusContext& statuses,
                                        PipelineId pipeline_id, int64_t now) {
    return db.transaction([&] {
        std::vector<AttemptRow> running;
        auto pipeline = pipelines::find(db, pipeline_id);
        if (!pipeline || is_terminal(*parse_pipeline_state(pipeline->status))) return running;
        pipelines::request_cancel(db, pipeline_id);
        pipeline->cancel_requested = true;
        for (const auto& job : pipelines::jobs_of(db, pipeline_id)) {
            if (is_terminal(*parse_job_state(job.status))) continue;
            if (job.current_attempt_id) {
                auto attempt = pipelines::find_attempt(db, *job.current_attempt_id);
                if (attempt && !is_terminal(*parse_attempt_state(attempt->status))) {
                    pipelines::set_attempt_status(db, attempt->id, "cancelled",
                                                  "cancelled by a user", std::nullopt, now);
                    pipelines::close_running_steps(db, attempt->id, "cancelled", now);
                    running.push_back(*attempt);
                }
            }
            end_job(db, statuses, *pipeline, job, JobState::cancelled, std::nullopt, now);
        }
        advance_pipeline(db, statuses, pipeline_id, now);
        return running;
    });
}

}  // namespace fmg::coordinator::lifecycle
