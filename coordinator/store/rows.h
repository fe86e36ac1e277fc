#pragma once
// Rows as the store reads them. Times are epoch milliseconds (UTC). States are the enums of
// coordinator/domain/states.h; the store reads and writes their names.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/domain/job_kind.h"
#include "coordinator/domain/requirements.h"
#include "coordinator/domain/states.h"

namespace fmg::coordinator {

using PipelineId = int64_t;
using JobId = int64_t;
using AttemptId = int64_t;
using RunnerId = int64_t;

struct PipelineRow {
    PipelineId id = 0;
    std::string repo;
    std::string repo_url;
    std::string ref;
    std::string sha;
    std::string trigger;
    PipelineState status = PipelineState::queued;
    std::optional<std::string> error;
    bool prepared = false;
    bool cancel_requested = false;
    int64_t created_at = 0;
    std::optional<int64_t> started_at;
    std::optional<int64_t> finished_at;
    // A fork's pull request waiting for approval: the head repository (owner/name; empty for
    // a deleted fork). nullopt: its jobs run at once.
    std::optional<std::string> fork_repo;
    std::optional<std::string> approved_by;  // who approved the whole pipeline
    std::optional<int64_t> approved_at;
    std::optional<int64_t> pr_number;  // a pull_request pipeline's pull request
    // Pipeline parameters the trigger gave (`pipeline.parameters.NAME` in the config).
    std::map<std::string, std::string> parameters;
    // A fork's pull request, whether it needed approval or its repository trusts forks: its
    // jobs get no secrets (docs/security.md "Secrets").
    bool from_fork = false;
};

struct JobRow {
    JobId id = 0;
    PipelineId pipeline_id = 0;
    std::string name;
    int64_t position = 0;
    JobState status = JobState::queued;
    std::vector<std::string> required_jobs;  // names of the jobs it requires
    // Those of them with status qualifiers (domain/requirements.h); the others must succeed.
    std::vector<StatusRequirement> status_requirements;
    std::string spec;  // JSON, see domain/job_spec.h
    std::optional<AttemptId> current_attempt_id;
    int64_t created_at = 0;
    std::optional<int64_t> started_at;
    std::optional<int64_t> finished_at;
    std::optional<std::string> approved_by;  // who released it from on_hold
    std::optional<int64_t> approved_at;
    std::vector<std::string> needed_labels;   // a runner must carry all (domain/runner_match.h)
    JobKind kind = JobKind::build;            // approval and no-op jobs never reach a runner
    std::optional<std::string> serial_group;  // lifecycle/serial_groups.h
};

struct AttemptRow {
    AttemptId id = 0;
    JobId job_id = 0;
    int64_t number = 0;
    std::optional<RunnerId> runner_id;
    std::string runner_host;  // joined from runners; empty when unassigned
    AttemptState status = AttemptState::assigned;
    std::optional<std::string> error;
    int64_t log_seq = 0;         // highest log chunk appended
    int64_t log_bytes = 0;       // committed bytes of the log file (the head, once capped)
    int64_t log_cap = 0;         // the log cap in force once the head filled; 0 under it
    int64_t log_tail_gen = 0;    // generation of the tail file
    int64_t log_tail_bytes = 0;  // committed bytes of the tail file
    int64_t log_dropped = 0;     // bytes past the head that are no longer in the tail file
    bool log_in_db = true;       // the head is in attempt_log_chunks, not yet in its file
    int64_t created_at = 0;
    std::optional<int64_t> started_at;
    std::optional<int64_t> finished_at;
};

/// An attempt's committed log (logs/log_store.h): the first `head_bytes` of its log file and,
/// once the output passed half the cap, the first `tail_bytes` of its tail file.
struct LogIndex {
    int64_t seq = 0;
    int64_t head_bytes = 0;
    int64_t cap = 0;
    int64_t tail_gen = 0;
    int64_t tail_bytes = 0;
    int64_t dropped = 0;
    bool in_db = false;  // the head is in SQLite (attempt_log_chunks), not in the log file

    bool operator==(const LogIndex&) const = default;
};

inline LogIndex log_index_of(const AttemptRow& row) {
    return {row.log_seq,        row.log_bytes,   row.log_cap,  row.log_tail_gen,
            row.log_tail_bytes, row.log_dropped, row.log_in_db};
}

struct StepRow {
    AttemptId attempt_id = 0;
    int64_t step_index = 0;
    StepState status = StepState::running;
    std::optional<int64_t> exit_code;
    std::optional<int64_t> started_at;
    std::optional<int64_t> finished_at;
};

struct RunnerRow {
    RunnerId id = 0;
    std::string host;
    std::vector<std::string> labels;
    int64_t capacity = 1;
    std::string public_key;  // hex
    RunnerState state = RunnerState::offline;
    std::optional<std::string> version;
    std::optional<int64_t> last_heartbeat_at;
    int64_t created_at = 0;
    std::optional<int64_t> revoked_at;
};

struct OutboxRow {
    int64_t id = 0;
    std::string repo;
    std::string sha;
    std::string context;
    std::string state;
    std::string description;
    std::string target_url;
    int64_t tries = 0;
    int64_t next_try_at = 0;
};

}  // namespace fmg::coordinator
