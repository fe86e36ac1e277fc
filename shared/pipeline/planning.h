#pragma once
// From workflow entries to the ordered jobs a pipeline runs. Internal to shared/pipeline/.

#include <vector>

#include "shared/pipeline/config.h"
#include "shared/pipeline/jobs.h"
#include "shared/pipeline/workflows.h"
#include "shared/pipeline/yaml_reader.h"

namespace fmg::pipeline::detail {

/// Fails when `requires` form a cycle, at the `requires` item that closes it, with the cycle
/// in the message (`a -> b -> a`). Expects every required name to be an entry's name.
Problem check_requires_cycles(YamlReader& reader, const std::vector<WorkflowJob>& entries);

/// Fails, at a workflow entry, when the pipeline could not name its jobs apart: a job of a
/// name two workflows use whose shared_name (nodes.h) is no valid job name or is another
/// job's, or a job with `parallelism` whose nodes would be named as another job is. Expects
/// every entry's job to be defined.
Problem check_pipeline_names(YamlReader& reader, const std::vector<WorkflowJob>& entries,
                             const JobDefinitions& definitions);

/// The jobs that run for `ref`, named as the pipeline names them (Job::name): each entry whose
/// filters select the ref and whose required jobs all run (CircleCI does not run a job whose
/// upstream was filtered out). Ordered so each job follows all it requires; among jobs ready at the
/// same time, config order. Expects an acyclic graph (check_requires_cycles first).
std::vector<Job> plan_jobs(const std::vector<WorkflowJob>& entries,
                           const JobDefinitions& definitions, const RefContext& ref);

}  // namespace fmg::pipeline::detail
