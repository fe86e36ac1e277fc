#pragma once
// Which pipelines teach the coordinator what a branch schedules: those that read the config
// of one of the repository's own branches.

#include <optional>

#include "coordinator/lifecycle/schedules.h"
#include "coordinator/store/rows.h"
#include "shared/pipeline/config.h"

namespace fmg::coordinator {

/// What `config`, read for `pipeline`, schedules for the pipeline's branch; nullopt when the
/// pipeline says nothing about its branch's schedules: a tag, a pull request (a fork's code
/// must not schedule anything), a retry (it reads no config). As CircleCI, a branch's own
/// config decides its schedules: a push, a manual trigger or a scheduled run of a branch.
std::optional<lifecycle::BranchSchedules> branch_schedules(const PipelineRow& pipeline,
                                                           const pipeline::Config& config);

}  // namespace fmg::coordinator
