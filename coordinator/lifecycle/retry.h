#pragma once
// Retrying a finished pipeline (POST /api/v1/pipelines/ID/retry, an HTTP thread).

#include "coordinator/lifecycle/statuses.h"
#include "shared/result.h"

namespace fmg::coordinator::lifecycle {

struct Retried {
    PipelineId id = 0;
    bool needs_preparing = false;  // the original never had jobs (config error): read it again
};

/// Creates pipeline `retry` of a finished pipeline, same commit: jobs that succeeded are
/// carried over as succeeded, the others (failed, errored, cancelled, skipped) run again in
/// their order. A pipeline whose jobs all succeeded runs again whole. One transaction: the
/// new pipeline, its jobs (ready ones queued, or on_hold for a fork's pull request and for an
/// approval job, with a `pending` status saying it is a retry; a no-op job succeeded) and its
/// prepared mark are written together. An approval job that succeeded (was approved) is
/// carried over as any other; one that did not waits for approval again.
/// Errors, changing nothing: the pipeline does not exist, or has not finished.
Result<Retried> retry_pipeline(Database& db, const StatusContext& statuses, PipelineId original,
                               int64_t now);

}  // namespace fmg::coordinator::lifecycle
