#pragma once

#include "coordinator/lifecycle/operations.h"
#include "shared/result.h"

namespace fmg::coordinator::lifecycle {

struct Retried {
    PipelineId id = 0;
    bool needs_preparing = false;  // the original never had jobs (config error): read it again
};

/// Creates pipeline `retry` of a finished pipeline, same commit: jobs that succeeded are
/// carried over as succeeded, the others (failed, errored, cancelled, skipped) run again in
/// their order. A pipeline whose jobs all succeeded runs again whole. Errors: the pipeline
/// does not exist, or has not finished.
Result<Retried> retry_pipeline(Database& db, const StatusContext& statuses, PipelineId original,
                               int64_t now);

}  // namespace fmg::coordinator::lifecycle
