#pragma once
// The agent's configuration (SPEC "fmg-agent").

#include <cstdint>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

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
    bool insecure = false;
    int64_t drain_timeout_ms = 10 * 60 * 1000;
    // --pass-env: the agent's variables shell steps get besides the fixed allow-list
    // (shell_step_environment.h).
    std::vector<std::string> pass_env;
};

/// Settings to run with, or an Outcome to finish with (help, version, usage error).
std::variant<AgentSettings, options::Outcome> parse_agent_settings(
    const std::vector<std::string>& args, const options::EnvLookup& env);

}  // namespace fmg::agent
