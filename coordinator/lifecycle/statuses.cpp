#include "coordinator/lifecycle/statuses.h"

#include "coordinator/constants.h"
#include "coordinator/store/outbox_store.h"

namespace fmg::coordinator::lifecycle {
namespace {

std::string target_url(const StatusContext& statuses, PipelineId id) {
    return statuses.public_url + "/api/v1/pipelines/" + std::to_string(id);
}

/// GitHub's state for a job that ended in `end`.
CommitState commit_state(JobState end) {
    switch (end) {
        case JobState::success:
            return CommitState::success;
        case JobState::failed:
            return CommitState::failure;
        default:
            return CommitState::error;
    }
}

std::string end_description(const std::string& job, JobState end,
                            const std::optional<std::string>& error) {
    switch (end) {
        case JobState::success:
            return "Job " + job + " passed";
        case JobState::failed:
            return "Job " + job + " failed";
        case JobState::cancelled:
            return "Job " + job + " was cancelled";
        default:
            return error ? *error : "Job " + job + " errored";
    }
}

}  // namespace

std::string_view to_string(CommitState state) {
    switch (state) {
        case CommitState::pending:
            return "pending";
        case CommitState::success:
            return "success";
        case CommitState::failure:
            return "failure";
        case CommitState::error:
            return "error";
    }
    return "error";
}

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

void queue_status(Database& db, const StatusContext& statuses, const PipelineRow& pipeline,
                  const std::string& name, CommitState state, const std::string& description,
                  int64_t now) {
    if (pipeline.sha.empty()) return;
    outbox::add(db,
                {pipeline.repo, pipeline.sha, "fmg/" + name, std::string(to_string(state)),
                 status_description(description), target_url(statuses, pipeline.id)},
                now);
}

std::string pending_description(const PipelineRow& pipeline, const std::string& job, JobState ready,
                                const std::string& note) {
    if (ready != JobState::on_hold) {
        return "Job " + job + " is queued" + (note.empty() ? "" : " (" + note + ")");
    }
    const std::string prefix = "waiting for approval: pull request from ";
    const std::string command = " (fmg approve " + std::to_string(pipeline.id) + ")";
    const std::string fork_repo = pipeline.fork_repo.value_or("");
    std::string fork = fork_repo.empty() ? "a deleted fork" : "fork " + fork_repo;
    // GitHub names are ASCII (github/names.h): bytes are characters here.
    size_t room = kMaxStatusDescription - prefix.size() - command.size();
    if (fork.size() > room) fork = fork.substr(0, room - 3) + "...";
    return prefix + fork + command;
}

void queue_pending(Database& db, const StatusContext& statuses, const PipelineRow& pipeline,
                   const std::string& job, JobState ready, int64_t now, const std::string& note) {
    queue_status(db, statuses, pipeline, job, CommitState::pending,
                 pending_description(pipeline, job, ready, note), now);
}

void queue_ready(Database& db, const StatusContext& statuses, const PipelineRow& pipeline,
                 const std::string& job, JobKind kind, JobState ready, int64_t now,
                 const std::string& note) {
    if (kind == JobKind::no_op && ready == JobState::success) {
        queue_status(db, statuses, pipeline, job, CommitState::success,
                     "Job " + job + " passed (no-op)", now);
    } else if (kind == JobKind::approval && ready == JobState::on_hold) {
        queue_status(db, statuses, pipeline, job, CommitState::pending,
                     "Job " + job + " is waiting for approval (fmg approve " +
                         std::to_string(pipeline.id) + " " + job + ")",
                     now);
    } else {
        queue_pending(db, statuses, pipeline, job, ready, now, note);
    }
}

void queue_job_end(Database& db, const StatusContext& statuses, const PipelineRow& pipeline,
                   const JobRow& job, JobState end, const std::optional<std::string>& error,
                   int64_t now) {
    bool was_announced = job.status != JobState::blocked;
    if (!was_announced) return;
    if (end == JobState::skipped) {
        // Only a queued job superseded in its serial group is skipped after its `pending`
        // (lifecycle/serial_groups.h). It did not fail, and its pipeline can still pass:
        // GitHub gets a final success saying why it never ran, not a pending forever.
        queue_status(db, statuses, pipeline, job.name, CommitState::success,
                     error.value_or("Job " + job.name + " was skipped"), now);
        return;
    }
    queue_status(db, statuses, pipeline, job.name, commit_state(end),
                 end_description(job.name, end, error), now);
}

}  // namespace fmg::coordinator::lifecycle
