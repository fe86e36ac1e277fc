#pragma once
// The names of a pipeline's jobs. A job with `parallelism: N` runs as N nodes (CircleCI's word):
// copies of the job, each with its CIRCLE_NODE_INDEX, that run at once on whichever runners take
// them. Each node is a job of the pipeline of its own, named after the job and its index; the
// config's job is done when all its nodes are.

#include <cstdint>
#include <string>
#include <string_view>

namespace fmg::pipeline {

/// The pipeline's name for a job `name` of workflow `workflow` when another workflow that
/// runs in the same pipeline has a job of that name too: `WORKFLOW:NAME`.
std::string shared_name(std::string_view workflow, std::string_view name);

/// The name of node `index` (0-based) of job `job`: `job[index]`, as `fmg show` lists it and
/// the API and GitHub statuses name it.
std::string node_name(std::string_view job, uint32_t index);

}  // namespace fmg::pipeline
