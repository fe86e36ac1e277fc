#pragma once
// What a job runs, as stored with the job (JSON in jobs.spec) and sent to agents: the
// translation from the parsed config (shared/pipeline) to the wire (protocol::Assign).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/domain/builtin_environment.h"
#include "protocol/messages.h"
#include "shared/pipeline/config.h"
#include "shared/result.h"

namespace fmg::coordinator {

struct JobStepSpec {
    // "checkout", "run", "setup_remote_docker", "store_artifacts", "persist_to_workspace",
    // "attach_workspace", "store_test_results", "save_cache", "restore_cache" or "add_ssh_keys"
    std::string kind;
    std::string name;
    std::string command;
    std::map<std::string, std::string> environment;
    std::string working_directory;
    int64_t no_output_timeout_ms = 0;  // 0: the agent's default
    std::string when = "on_success";   // on_success, on_fail, always
    // Added later: specs stored before them read as the defaults (JSON keys absent).
    std::string shell;                      // empty: the agent's default shell
    bool background = false;                // the job goes on without waiting for the step
    int64_t max_auto_reruns = 0;            // reruns of a failed step, 0..5
    int64_t auto_rerun_delay_ms = 0;        // the wait before each rerun
    std::vector<std::string> paths;         // store_artifacts: the path; persist, save_cache: paths
    std::string destination;                // store_artifacts: the artifacts' prefix
    std::string root;                       // persist_to_workspace
    std::string at;                         // attach_workspace
    std::vector<std::string> keys;          // save_cache: its key; restore_cache: the keys to try
    std::vector<std::string> fingerprints;  // add_ssh_keys: the keys to load; empty: all
};

/// Which node of a job with `parallelism` a job of the pipeline is (shared/pipeline/nodes.h).
struct JobNode {
    uint32_t index = 0;
    uint32_t total = 1;

    friend bool operator==(const JobNode&, const JobNode&) = default;
};

struct JobSpec {
    std::string workflow;  // the workflow it comes from; empty without workflows (and in
                           // specs stored before it was kept)
    // The images and how their containers run. Specs stored before `image_options` was kept
    // read as images with no options.
    pipeline::ImageSpec image;
    std::vector<pipeline::ImageSpec> services;
    std::map<std::string, std::string> environment;
    std::string working_directory;
    std::vector<JobStepSpec> steps;
    std::optional<JobNode> node;  // set for each node of a job with `parallelism` over 1
    // CIRCLE_JOB: the name its workflow gives the job, which the pipeline's name for it may
    // extend (`WORKFLOW:NAME`, `NAME[0]`); empty in specs stored before it was kept (the
    // pipeline's name then is the workflow's).
    std::string circle_job;
    // The workflow job's `context`s: their secrets are given at dispatch (secrets/job_secrets.h)
    // to the job's first step, kSecretsStepName, and to the assign. Empty in specs stored
    // before secrets.
    std::vector<std::string> contexts;
    // Whether its repository had secrets when the pipeline was prepared: then the job begins
    // with kSecretsStepName too, and gets the repository's secrets (their values as they are
    // at dispatch) under its contexts' (a context's secret wins over one of the same name).
    bool repository_secrets = false;
};

/// The step a job with contexts or repository secrets begins with: it prints which secrets the
/// job has (or why it has none) and fails the job when they cannot be given.
inline constexpr const char* kSecretsStepName = "Secrets";

/// Gives each attach_workspace step of `assign` the workspace `layers` (blob digests, oldest
/// first), which only exist once the jobs it requires ran: they are found at dispatch.
void attach_layers(protocol::Assign& assign, const std::vector<std::string>& layers);

/// The spec of `job`, or of its node `node` when it has `parallelism`; `repository_secrets`:
/// whether the pipeline's repository has secrets (JobSpec::repository_secrets).
JobSpec job_spec_from_config(const pipeline::Job& job, std::optional<JobNode> node = {},
                             bool repository_secrets = false);
std::string to_json(const JobSpec& spec);
/// Parses a stored spec; an Error when the JSON is damaged (also when `image_options` does not
/// have one item per image).
Result<JobSpec> job_spec_from_json(const std::string& json);

/// The assign message for the attempt `run` of a job. CIRCLE_JOB is the spec's circle_job
/// when set; for a node, CIRCLE_NODE_INDEX/CIRCLE_NODE_TOTAL say which node it is. Its environment
/// is the built-in variables (builtin_environment.h) under the job's own, which win where both set
/// a name (CircleCI's order of precedence: a job's `environment` over the built-in variables).
/// `job_timeout_ms` is the coordinator's --job-timeout (0: none); the agent stops the job
/// when it runs longer.
protocol::Assign make_assign(const JobSpec& spec, const RunContext& run, int64_t job_timeout_ms);

}  // namespace fmg::coordinator
