#pragma once
// The states of pipelines, jobs, attempts, their steps and runners (SPEC "States"), with one
// pure transition check per entity and one answer to "is this state final". Rows hold these
// enums (coordinator/store/rows.h); the store turns them into text only at the SQL boundary.
// Every state change is written by lifecycle::transition (coordinator/lifecycle/transitions.h),
// which asks can_transition first and refuses, logging a bug, a move it does not allow.

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
    // Ready, but waits for a person to approve it (lifecycle/approval.h): a job of a fork's
    // pull request (then queued), or an approval job (then success).
    on_hold,
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

/// A step of an attempt. "pending" (not reached yet) and "skipped" (never reached, the job
/// ended) are no states of a stored step: the API shows them for steps without a row.
enum class StepState {
    running,
    success,
    failed,
    cancelled,  // the job was cancelled while the step ran
    error,      // the step could not run, or its attempt ended in error while it ran
    lost,       // its attempt was lost while the step ran
};

enum class RunnerState {
    online,    // connected and heartbeating
    draining,  // finishing its jobs, taking no new ones
    lost,      // silent past the agent timeout
    offline,   // never connected, or said goodbye
    revoked,   // removed by an operator; its key is refused
};

/// The state a new row starts in (written by the store's insert, not a move). A job's first
/// state depends on what it requires, so its insert takes it.
inline constexpr PipelineState kNewPipelineState = PipelineState::queued;
inline constexpr AttemptState kNewAttemptState = AttemptState::assigned;
inline constexpr RunnerState kNewRunnerState = RunnerState::offline;  // until its first hello

std::string_view to_string(PipelineState state);
std::string_view to_string(JobState state);
std::string_view to_string(AttemptState state);
std::string_view to_string(StepState state);
std::string_view to_string(RunnerState state);

std::optional<PipelineState> parse_pipeline_state(std::string_view text);
std::optional<JobState> parse_job_state(std::string_view text);
std::optional<AttemptState> parse_attempt_state(std::string_view text);
std::optional<StepState> parse_step_state(std::string_view text);
std::optional<RunnerState> parse_runner_state(std::string_view text);

/// Whether the state is final: nothing moves out of it.
bool is_terminal(PipelineState state);
bool is_terminal(JobState state);
bool is_terminal(AttemptState state);
bool is_terminal(StepState state);
bool is_terminal(RunnerState state);  // revoked: a revoked runner stays revoked

/// Whether the attempt ended with a job result (success, failed or error), not lost or
/// cancelled: a runner that reports such an attempt again after a reconnect still owes its
/// acknowledged result, so it is not told to cancel it.
bool ended_with_result(AttemptState state);

/// Whether the state machine allows going from `from` to `to` (staying put is not a move).
bool can_transition(PipelineState from, PipelineState to);
bool can_transition(JobState from, JobState to);
bool can_transition(AttemptState from, AttemptState to);
bool can_transition(StepState from, StepState to);
bool can_transition(RunnerState from, RunnerState to);

}  // namespace fmg::coordinator
