#pragma once
// The states of pipelines, jobs, attempts and runners (SPEC "States"), with one pure
// transition check per entity. Every state change in the store goes through these checks.

#include <optional>
#include <string_view>

namespace fmg::coordinator {

enum class PipelineState {
    queued,     // accepted; jobs not started yet (config may still be read)
    running,    // at least one job was dispatched
    success,    // every job succeeded
    failed,     // a job failed (its command exited non-zero)
    error,      // config error, or a job ended in error (attempts exhausted, infrastructure)
    cancelled,  // cancelled by a user
};

enum class JobState {
    blocked,  // waiting for the jobs it requires
    on_hold,  // ready, but from a fork: waits for a person to approve it (lifecycle/approval.h)
    queued,   // ready, waiting for a runner
    running,  // an attempt is assigned or running
    success,
    failed,  // a step failed
    cancelled,
    skipped,  // a job it requires did not succeed
    error,    // attempts exhausted, or infrastructure error
};

enum class AttemptState {
    assigned,  // sent to a runner, not yet accepted
    running,   // the runner accepted it
    success,
    failed,
    lost,  // its runner went silent or disconnected; the job is retried
    cancelled,
    error,
};

enum class RunnerState {
    online,    // connected and heartbeating
    draining,  // finishing its jobs, taking no new ones
    lost,      // silent past the agent timeout
    offline,   // never connected, or said goodbye
    revoked,   // removed by an operator; its key is refused
};

std::string_view to_string(PipelineState state);
std::string_view to_string(JobState state);
std::string_view to_string(AttemptState state);
std::string_view to_string(RunnerState state);

std::optional<PipelineState> parse_pipeline_state(std::string_view text);
std::optional<JobState> parse_job_state(std::string_view text);
std::optional<AttemptState> parse_attempt_state(std::string_view text);
std::optional<RunnerState> parse_runner_state(std::string_view text);

bool is_terminal(PipelineState state);
bool is_terminal(JobState state);
bool is_terminal(AttemptState state);

/// Whether the state machine allows going from `from` to `to` (staying put is not a move).
bool can_transition(PipelineState from, PipelineState to);
bool can_transition(JobState from, JobState to);
bool can_transition(AttemptState from, AttemptState to);
bool can_transition(RunnerState from, RunnerState to);

}  // namespace fmg::coordinator
