#include "coordinator/domain/states.h"

#include <array>
#include <utility>

namespace fmg::coordinator {
namespace {

template <typename State, size_t N>
std::string_view name_of(const std::array<std::pair<State, std::string_view>, N>& names,
                         State state) {
    for (const auto& [value, name] : names) {
        if (value == state) return name;
    }
    return "unknown";
}

template <typename State, size_t N>
std::optional<State> parse_name(const std::array<std::pair<State, std::string_view>, N>& names,
                                std::string_view text) {
    for (const auto& [value, name] : names) {
        if (name == text) return value;
    }
    return std::nullopt;
}

constexpr std::array<std::pair<PipelineState, std::string_view>, 6> kPipelineNames = {{
    {PipelineState::queued, "queued"},
    {PipelineState::running, "running"},
    {PipelineState::success, "success"},
    {PipelineState::failed, "failed"},
    {PipelineState::error, "error"},
    {PipelineState::cancelled, "cancelled"},
}};

constexpr std::array<std::pair<JobState, std::string_view>, 9> kJobNames = {{
    {JobState::blocked, "blocked"},
    {JobState::on_hold, "on_hold"},
    {JobState::queued, "queued"},
    {JobState::running, "running"},
    {JobState::success, "success"},
    {JobState::failed, "failed"},
    {JobState::cancelled, "cancelled"},
    {JobState::skipped, "skipped"},
    {JobState::error, "error"},
}};

constexpr std::array<std::pair<AttemptState, std::string_view>, 7> kAttemptNames = {{
    {AttemptState::assigned, "assigned"},
    {AttemptState::running, "running"},
    {AttemptState::success, "success"},
    {AttemptState::failed, "failed"},
    {AttemptState::lost, "lost"},
    {AttemptState::cancelled, "cancelled"},
    {AttemptState::error, "error"},
}};

constexpr std::array<std::pair<StepState, std::string_view>, 6> kStepNames = {{
    {StepState::running, "running"},
    {StepState::success, "success"},
    {StepState::failed, "failed"},
    {StepState::cancelled, "cancelled"},
    {StepState::error, "error"},
    {StepState::lost, "lost"},
}};

constexpr std::array<std::pair<RunnerState, std::string_view>, 5> kRunnerNames = {{
    {RunnerState::online, "online"},
    {RunnerState::draining, "draining"},
    {RunnerState::lost, "lost"},
    {RunnerState::offline, "offline"},
    {RunnerState::revoked, "revoked"},
}};

}  // namespace

std::string_view to_string(PipelineState state) {
    return name_of(kPipelineNames, state);
}
std::string_view to_string(JobState state) {
    return name_of(kJobNames, state);
}
std::string_view to_string(AttemptState state) {
    return name_of(kAttemptNames, state);
}
std::string_view to_string(StepState state) {
    return name_of(kStepNames, state);
}
std::string_view to_string(RunnerState state) {
    return name_of(kRunnerNames, state);
}

std::optional<PipelineState> parse_pipeline_state(std::string_view text) {
    return parse_name(kPipelineNames, text);
}
std::optional<JobState> parse_job_state(std::string_view text) {
    return parse_name(kJobNames, text);
}
std::optional<AttemptState> parse_attempt_state(std::string_view text) {
    return parse_name(kAttemptNames, text);
}
std::optional<StepState> parse_step_state(std::string_view text) {
    return parse_name(kStepNames, text);
}
std::optional<RunnerState> parse_runner_state(std::string_view text) {
    return parse_name(kRunnerNames, text);
}

bool is_terminal(PipelineState state) {
    return state != PipelineState::queued && state != PipelineState::running;
}

bool is_terminal(JobState state) {
    return state != JobState::blocked && state != JobState::on_hold && state != JobState::queued &&
           state != JobState::running;
}

bool is_terminal(AttemptState state) {
    return state != AttemptState::assigned && state != AttemptState::running;
}

bool is_terminal(StepState state) {
    return state != StepState::running;
}

bool is_terminal(RunnerState state) {
    return state == RunnerState::revoked;
}

bool ended_with_result(AttemptState state) {
    return state == AttemptState::success || state == AttemptState::failed ||
           state == AttemptState::error;
}

bool can_transition(PipelineState from, PipelineState to) {
    if (is_terminal(from) || from == to) return false;
    if (from == PipelineState::running) return to != PipelineState::queued;
    return true;  // queued -> running or straight to an end (config error, cancel)
}

bool can_transition(JobState from, JobState to) {
    if (is_terminal(from) || from == to) return false;
    switch (from) {
        case JobState::blocked:
            // Unblocked (held instead when it or its pipeline waits for approval; a no-op job
            // succeeds at once), or never run: upstream failed (skipped), pipeline cancelled or
            // errored.
            return to == JobState::queued || to == JobState::on_hold || to == JobState::success ||
                   to == JobState::skipped || to == JobState::cancelled || to == JobState::error;
        case JobState::on_hold:
            // Approved: a held job goes to the queue, an approval job succeeds. Or its
            // pipeline was cancelled while it waited. Nothing else ends it: what it requires
            // has succeeded already, and it never ran.
            return to == JobState::queued || to == JobState::success || to == JobState::cancelled;
        case JobState::queued:
            return to == JobState::running || to == JobState::cancelled || to == JobState::error ||
                   to == JobState::skipped;
        case JobState::running:
            // Back to queued when its attempt is lost and another one is allowed; never back
            // on hold (it was approved, or needed no approval, when it was queued).
            return to != JobState::blocked && to != JobState::on_hold && to != JobState::skipped;
        default:
            return false;
    }
}

bool can_transition(AttemptState from, AttemptState to) {
    if (is_terminal(from) || from == to) return false;
    if (from == AttemptState::running) return to != AttemptState::assigned;
    return true;  // assigned -> running, or ends before it ran (lost, refused, cancelled)
}

bool can_transition(StepState from, StepState to) {
    // A step row is written when it starts (running) or, if its start was never reported,
    // when it ends; either way it ends once.
    return !is_terminal(from) && from != to;
}

bool can_transition(RunnerState from, RunnerState to) {
    // Revocation is final; every other state can follow any other (a lost runner comes back
    // online, a draining one is lost or says goodbye, ...).
    return !is_terminal(from) && from != to;
}

}  // namespace fmg::coordinator
