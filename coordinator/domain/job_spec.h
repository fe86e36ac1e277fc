#pragma once
// What a job runs, as stored with the job (JSON in jobs.spec) and sent to agents: the
// translation from the parsed config (shared/pipeline) to the wire (protocol::Assign).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "coordinator/domain/builtin_environment.h"
#include "protocol/messages.h"
#include "shared/pipeline/config.h"
#include "shared/result.h"

namespace fmg::coordinator {

struct JobStepSpec {
    std::string kind;  // "checkout" or "run"
    std::string name;
    std::string command;
    std::map<std::string, std::string> environment;
    std::string working_directory;
    int64_t no_output_timeout_ms = 0;  // 0: the agent's default
    std::string when = "on_success";   // on_success, on_fail, always
    // Added later: specs stored before them read as the defaults (JSON keys absent).
    std::string shell;                // empty: the agent's default shell
    bool background = false;          // the job goes on without waiting for the step
    int64_t max_auto_reruns = 0;      // reruns of a failed step, 0..5
    int64_t auto_rerun_delay_ms = 0;  // the wait before each rerun
};

struct JobSpec {
    std::string workflow;  // the workflow it comes from; empty without workflows (and in
                           // specs stored before it was kept)
    std::string image;
    std::vector<std::string> services;
    std::map<std::string, std::string> environment;
    std::string working_directory;
    std::vector<JobStepSpec> steps;
};

JobSpec job_spec_from_config(const pipeline::Job& job);
std::string to_json(const JobSpec& spec);
/// Parses a stored spec; an Error when the JSON is damaged.
Result<JobSpec> job_spec_from_json(const std::string& json);

/// The assign message for the attempt `run` of a job. Its environment is the built-in
/// variables (builtin_environment.h) under the job's own, which win where both set a name
/// (CircleCI's order of precedence: a job's `environment` over the built-in variables).
/// `job_timeout_ms` is the coordinator's --job-timeout (0: none); the agent stops the job
/// when it runs longer.
protocol::Assign make_assign(const JobSpec& spec, const RunContext& run, int64_t job_timeout_ms);

}  // namespace fmg::coordinator
