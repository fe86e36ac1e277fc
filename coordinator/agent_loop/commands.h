#pragma once
// What other threads ask of the event loop, through its mailbox.

#include <variant>

#include "coordinator/store/rows.h"

namespace fmg::coordinator {

/// A pipeline's jobs exist now (or it ended in a config error): schedule.
struct PipelineReady {
    PipelineId pipeline_id = 0;
};
/// A user asked to cancel a pipeline (already recorded as cancel_requested).
struct CancelPipeline {
    PipelineId pipeline_id = 0;
};
/// An operator revoked a runner: disconnect its agent.
struct RunnerRevoked {
    RunnerId runner_id = 0;
};
/// Shut down.
struct StopLoop {};

using LoopCommand = std::variant<PipelineReady, CancelPipeline, RunnerRevoked, StopLoop>;

}  // namespace fmg::coordinator
