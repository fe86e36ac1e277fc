#pragma once
// State columns: rows hold the enums of coordinator/domain/states.h, the tables their names.
// A name the code does not know (a database edited by hand, or written by a newer version)
// is a DbError naming the table and the text, never a guessed state.

#include "coordinator/domain/job_kind.h"
#include "coordinator/domain/states.h"
#include "coordinator/store/database.h"

namespace fmg::coordinator {

PipelineState pipeline_state_column(const Statement& q, int column);
JobState job_state_column(const Statement& q, int column);
AttemptState attempt_state_column(const Statement& q, int column);
StepState step_state_column(const Statement& q, int column);
RunnerState runner_state_column(const Statement& q, int column);
/// A job's kind (jobs.kind), read as strictly as its state.
JobKind job_kind_column(const Statement& q, int column);

}  // namespace fmg::coordinator
