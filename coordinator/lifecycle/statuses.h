#pragma once
// Every GitHub commit status fmg posts is built here and queued by queue_status in the
// outbox table, inside the transaction of the change that causes it: a status is never
// posted for a change that was not committed, and never lost for one that was (principles:
// nothing accepted is lost). The status sender (coordinator/github/status_sender.h) posts
// them. Each status links to its pipeline in the API, and its description fits GitHub's 140
// characters.

#include <cstdint>
#include <optional>
#include <string>

#include "coordinator/domain/states.h"
#include "coordinator/store/database.h"
#include "coordinator/store/rows.h"

namespace fmg::coordinator::lifecycle {

/// What status posts need to know about the installation.
struct StatusContext {
    std::string public_url;  // target_url is PUBLIC_URL/api/v1/pipelines/ID
};

/// The states of a GitHub commit status.
enum class CommitState { pending, success, failure, error };

std::string_view to_string(CommitState state);

/// A status description within GitHub's 140-character limit (cut on a character boundary,
/// ending in "...").
std::string status_description(const std::string& text);

/// Queues the status of context "fmg/NAME" (NAME: a job's name, or "config") for the
/// pipeline's commit. Nothing when the commit is not known yet (a ref never resolved).
void queue_status(Database& db, const StatusContext& statuses, const PipelineRow& pipeline,
                  const std::string& name, CommitState state, const std::string& description,
                  int64_t now);

/// The `pending` description of job `job` of `pipeline` that became ready in state `ready`:
/// queued: "Job NAME is queued", with " (NOTE)" when a note is given; on_hold: "waiting for
/// approval: pull request from fork OWNER/NAME (fmg approve ID)", within GitHub's 140
/// characters (a long fork name is shortened, never the command).
std::string pending_description(const PipelineRow& pipeline, const std::string& job, JobState ready,
                                const std::string& note = "");

/// Queues the `pending` status of a job that became ready (queued or on_hold).
void queue_pending(Database& db, const StatusContext& statuses, const PipelineRow& pipeline,
                   const std::string& job, JobState ready, int64_t now,
                   const std::string& note = "");

/// Queues the status of job `job` (of kind `kind`) that became ready in state `ready`
/// (lifecycle::ready_state): `pending` when queued or on_hold, with pending_description, or
/// for an approval job "Job NAME is waiting for approval (fmg approve ID NAME)"; `success`
/// "Job NAME passed (no-op)" for a no-op job, which succeeds as it becomes ready.
void queue_ready(Database& db, const StatusContext& statuses, const PipelineRow& pipeline,
                 const std::string& job, JobKind kind, JobState ready, int64_t now,
                 const std::string& note = "");

/// Queues the final status of `job` (its row as it was before the move) ending in `end`:
/// success, failure (failed) or error (anything else, with `error` as its description when
/// given). None for a job that never got a `pending` status (blocked until now). A queued
/// job skipped (superseded in its serial group) gets success with `error` saying why.
void queue_job_end(Database& db, const StatusContext& statuses, const PipelineRow& pipeline,
                   const JobRow& job, JobState end, const std::optional<std::string>& error,
                   int64_t now);

}  // namespace fmg::coordinator::lifecycle
