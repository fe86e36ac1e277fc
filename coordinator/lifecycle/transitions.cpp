#include "coordinator/lifecycle/transitions.h"

#include "coordinator/store/pipeline_store.h"
#include "coordinator/store/runner_store.h"
#include "shared/log.h"

namespace fmg::coordinator::lifecycle {
namespace {

/// Checks the move, then writes it with `write` (false: the row was no longer in `from`).
template <typename State, typename Write>
bool move(const char* entity, const std::string& id, State from, State to, Write write) {
    const char* why = nullptr;
    if (!can_transition(from, to))
        why = "the state machine does not allow it";
    else if (!write())
        why = "its row was no longer in that state (read before another change)";
    if (why == nullptr) return true;
    FMG_LOG(error) << "bug: refused to move " << entity << "=" << id << " from " << to_string(from)
                   << " to " << to_string(to) << ": " << why;
    return false;
}

}  // namespace

bool transition(Database& db, const PipelineRow& pipeline, PipelineState to, Times times,
                const std::optional<std::string>& error) {
    return move("pipeline", std::to_string(pipeline.id), pipeline.status, to, [&] {
        return pipelines::set_status(db, pipeline.id, pipeline.status, to, error, times.started_at,
                                     times.finished_at);
    });
}

bool transition(Database& db, const JobRow& job, JobState to, Times times) {
    return move("job", std::to_string(job.id), job.status, to, [&] {
        return pipelines::set_job_status(db, job.id, job.status, to, times.started_at,
                                         times.finished_at);
    });
}

bool transition(Database& db, const AttemptRow& attempt, AttemptState to, Times times,
                const std::optional<std::string>& error) {
    return move("attempt", std::to_string(attempt.id), attempt.status, to, [&] {
        return pipelines::set_attempt_status(db, attempt.id, attempt.status, to, error,
                                             times.started_at, times.finished_at);
    });
}

bool transition(Database& db, const StepRow& step, StepState to, Times times,
                std::optional<int64_t> exit_code) {
    const std::string id =
        std::to_string(step.attempt_id) + " step=" + std::to_string(step.step_index);
    return move("attempt", id, step.status, to, [&] {
        return pipelines::set_step_status(
            db, step.status,
            {step.attempt_id, step.step_index, to, exit_code, times.started_at, times.finished_at});
    });
}

bool transition(Database& db, const RunnerRow& runner, RunnerState to, int64_t now) {
    std::optional<int64_t> revoked_at;
    if (to == RunnerState::revoked) revoked_at = now;
    return move("runner", std::to_string(runner.id), runner.state, to,
                [&] { return runners::set_state(db, runner.id, runner.state, to, revoked_at); });
}

}  // namespace fmg::coordinator::lifecycle
