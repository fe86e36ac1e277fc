#pragma once
// The agent's configuration (SPEC "fmg-agent").

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "agent/executor/docker_constants.h"
#include "shared/options.h"

namespace fmg::agent {

struct AgentSettings {
    std::string coordinator;  // empty: from the credentials file
    std::filesystem::path credentials = "/etc/fmg/agent.cred";
    std::string name;  // defaults to the host name
    std::filesystem::path work_dir = "/var/lib/fmg-agent";
    uint32_t capacity = 1;
    std::vector<std::string> labels;
    // Whether --capacity / --labels (or their variables) were given; if not, the values
    // registered with `fmg configure add-runner` (in the credentials file) apply.
    bool capacity_given = false;
    bool labels_given = false;
    std::string executor = "docker";
    std::string docker_socket = "/var/run/docker.sock";
    // --allow-job-docker: a job's `setup_remote_docker` step gives its later steps this
    // engine (docs/executors.md); a trust decision: the job's code gets root on the host.
    bool allow_job_docker = false;
    bool insecure = false;
    int64_t drain_timeout_ms = 10 * 60 * 1000;
    // --pass-env: the agent's variables shell steps get besides the fixed allow-list
    // (shell_step_environment.h).
    std::vector<std::string> pass_env;

    // Docker jobs' confinement (docs/security.md): limits of each job and service container
    // (0: none), and whether jobs may reach this host's own services.
    int64_t job_memory_bytes = 0;
    int64_t job_nano_cpus = 0;
    int64_t job_pids = kDefaultJobPids;
    bool job_network_host_access = false;
};

/// Settings to run with, or an Outcome to finish with (help, version, usage error).
std::variant<AgentSettings, options::Outcome> parse_agent_settings(
    const std::vector<std::string>& args, const options::EnvLookup& env);

/// nullopt unless `labels` (the agent's, from --labels or its credentials) hold `machine`,
/// `macos` or `windows` while `executor` is "docker": those labels draw jobs that have no
/// docker image and run their steps on the runner's host (docs/pipeline-config.md,
/// *Runners*), which only the shell executor does. Otherwise a message saying what to change.
std::optional<std::string> executor_labels_problem(const std::string& executor,
                                                   const std::vector<std::string>& labels);

}  // namespace fmg::agent
