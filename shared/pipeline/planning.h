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

/// Fails when a job with `parallelism` would name one of its nodes (nodes.h) as another job is
/// named, at the job's workflow entry. Expects every entry's job to be defined.
Problem check_node_names(YamlReader& reader, const std::vector<WorkflowJob>& entries,
                         const JobDefinitions& definitions);

/// The jobs that run for `ref`: each entry whose filters select the ref and whose required
/// jobs all run (CircleCI does not run a job whose upstream was filtered out). Ordered so each
/// job follows all it requires; among jobs ready at the same time, config order. Expects an
/// acyclic graph (check_requires_cycles first).
std::vector<Job> plan_jobs(const std::vector<WorkflowJob>& entries,
                           const JobDefinitions& definitions, const RefContext& ref);

}  // namespace fmg::pipeline::detail
