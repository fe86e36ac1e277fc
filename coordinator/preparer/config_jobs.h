#pragma once
// From a parsed config to the jobs its pipeline records: a job with `parallelism` over 1
// becomes one job per node (shared/pipeline/nodes.h), each a job of the pipeline with its own
// attempts, runner and log, so a node lost with its runner is retried alone.

#include <vector>

#include "coordinator/lifecycle/preparation.h"
#include "shared/pipeline/config.h"

namespace fmg::coordinator {

/// The jobs of `config` in its order, a job's nodes in index order where it stood. A job that
/// requires a job with nodes requires every node, so it starts once all have succeeded; a
/// status qualifier on such a job applies to all its nodes together (domain/requirements.h).
/// `repository_secrets`: whether the pipeline's repository has secrets (every job gets them).
std::vector<lifecycle::ConfigJob> config_jobs(const pipeline::Config& config,
                                              bool repository_secrets = false);

}  // namespace fmg::coordinator
