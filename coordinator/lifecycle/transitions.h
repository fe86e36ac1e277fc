#pragma once
// The one way a state is written: transition() moves one pipeline, job, attempt, step or
// runner, inside the caller's transaction. It asks can_transition (coordinator/domain/
// states.h) and writes the move only when the state machine allows it and the row is still
// in the state the caller read (`row.status` / `row.state` is the move's `from`).
//
// Operations guard first (principles: handlers guard first): a stale result, a duplicate
// message or a lost race is theirs to notice and drop. A move refused here is therefore a
// bug in the caller: it is logged at error level, naming the entity, its id, from and to,
// nothing is written, and the answer is false.

#include <cstdint>
#include <optional>
#include <string>

#include "coordinator/domain/states.h"
#include "coordinator/store/database.h"
#include "coordinator/store/rows.h"

namespace fmg::coordinator::lifecycle {

/// Times recorded with a move (epoch ms). A start is kept once recorded; nullopt keeps what
/// the row has (for a job, an end of nullopt clears it: a job queued again has not ended).
struct Times {
    std::optional<int64_t> started_at = std::nullopt;
    std::optional<int64_t> finished_at = std::nullopt;
};

/// `error`: why the pipeline ended badly (kept when nullopt).
bool transition(Database& db, const PipelineRow& pipeline, PipelineState to, Times times,
                const std::optional<std::string>& error = std::nullopt);
bool transition(Database& db, const JobRow& job, JobState to, Times times);
/// `error`: why the attempt ended as it did (kept when nullopt).
bool transition(Database& db, const AttemptRow& attempt, AttemptState to, Times times,
                const std::optional<std::string>& error = std::nullopt);
/// `exit_code`: the step command's, when it ran.
bool transition(Database& db, const StepRow& step, StepState to, Times times,
                std::optional<int64_t> exit_code = std::nullopt);
/// `now` is recorded as the revocation time when `to` is revoked.
bool transition(Database& db, const RunnerRow& runner, RunnerState to, int64_t now);

}  // namespace fmg::coordinator::lifecycle
