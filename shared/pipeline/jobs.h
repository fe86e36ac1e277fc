#pragma once
// The `jobs` map: what each job runs, before workflows decide which run and when.
// Internal to shared/pipeline/.

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "shared/pipeline/config.h"
#include "shared/pipeline/yaml_reader.h"

namespace fmg::pipeline::detail {

/// The job definitions, in config order, with each one's position.
struct JobDefinitions {
    std::vector<Job> jobs;  // `name` is the key under `jobs`; `requires` stays empty
    std::vector<Node> key_nodes;
    std::vector<YamlReader::Spent> sizes;  // what reading each job cost: what copying it costs
    std::unordered_map<std::string, std::size_t> index;  // name -> position in `jobs`

    /// The definition named `name`, or nullptr.
    const Job* find(std::string_view name) const;
};

/// Reads the `jobs` entry: at most kMaxJobs jobs, each with a `docker` list (the first image
/// runs the steps, the rest are services), optional `environment` and `working_directory`,
/// and `steps` (at most kMaxStepsPerJob). Fails on a job fmg cannot run as written: no
/// `docker`, other executors, unknown keys, a malformed step, a value or a whole job over the
/// agent protocol's limits (wire_fit.h), pointing at the value (at the job for the whole).
Problem read_jobs(YamlReader& reader, const Entry& jobs, JobDefinitions& out);

/// Fails unless `name` is usable as a job name in the API, logs and GitHub statuses: 1 to 128
/// bytes, no slashes or control characters, no space at either end. `what` says where it
/// comes from.
Problem check_job_name(YamlReader& reader, const Node& at, std::string_view name,
                       std::string_view what);

}  // namespace fmg::pipeline::detail
