#include "agent/setup/settings.h"

#include <unistd.h>

#include <sstream>

#include "agent/executor/docker_constants.h"
#include "agent/executor/shell_constants.h"
#include "agent/executor/shell_step_environment.h"
#include "agent/setup/job_limits.h"
#include "shared/host_names.h"

namespace fmg::agent {
namespace {

std::string host_name() {
    char buffer[256] = {};
    if (gethostname(buffer, sizeof buffer - 1) != 0) return "agent";
    return buffer;
}

// --pass-env may be given more than once; the options table keeps one value per option, so
// every occurrence (before a "--") is joined into one comma-separated --pass-env=A,B.
std::vector<std::string> join_pass_env_flags(const std::vector<std::string>& args) {
    const std::string flag = "--pass-env";
    std::vector<std::string> rest;
    std::vector<std::string> names;
    size_t i = 0;
    for (; i < args.size() && args[i] != "--"; ++i) {
        if (args[i] == flag && i + 1 < args.size()) {
            names.push_back(args[++i]);
        } else if (args[i].starts_with(flag + "=")) {
            names.push_back(args[i].substr(flag.size() + 1));
        } else {
            rest.push_back(args[i]);  // a trailing --pass-env is left for the parser to refuse
        }
    }
    rest.insert(rest.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
    if (!names.empty()) {
        std::string joined;
        for (const auto& name : names) joined += (joined.empty() ? "" : ",") + name;
        rest.insert(rest.begin(), flag + "=" + joined);
    }
    return rest;
}

std::optional<std::string> check_pass_env(std::string_view text) {
    auto names = split_pass_env(text);
    if (names.size() > kMaxPassEnvNames) {
        return "at most " + std::to_string(kMaxPassEnvNames) + " names";
    }
    for (const auto& name : names) {
        if (auto problem = pass_env_name_problem(name)) return problem;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> executor_labels_problem(const std::string& executor,
                                                   const std::vector<std::string>& labels) {
    if (executor != "docker") return std::nullopt;
    for (const std::string& label : labels) {
        if (label == "machine" || label == "macos" || label == "windows") {
            return "label '" + label + "' draws jobs that run on the runner's host, not in a " +
                   "docker image: start this agent with --executor shell, or register it " +
                   "without that label";
        }
    }
    return std::nullopt;
}

std::variant<AgentSettings, options::Outcome> parse_agent_settings(
    const std::vector<std::string>& args, const options::EnvLookup& env) {
    // DOCKER_HOST is unix://PATH; only the path matters here.
    options::EnvLookup docker_env = [&env](const std::string& name) -> std::optional<std::string> {
        auto value = env(name);
        if (name == "DOCKER_HOST" && value && value->rfind("unix://", 0) == 0) {
            return value->substr(7);
        }
        return value;  // anything else is refused by the validator below
    };
    options::Parser parser(
        "fmg-agent", "[OPTIONS]",
        "The fmg agent: connects out to the coordinator, runs job steps in Docker containers "
        "(or as host processes), streams their logs and heartbeats.",
        {
            {"coordinator", "ENDPOINT", "FMG_COORDINATOR", "",
             "coordinator endpoint (default: from the credentials file)", options::zmq_endpoint()},
            {"credentials", "FILE", "FMG_CREDENTIALS", "/etc/fmg/agent.cred",
             "credentials printed by 'fmg configure add-runner'", options::non_empty()},
            {"name", "NAME", "FMG_RUNNER_NAME", "", "runner name (default: the host name)",
             options::non_empty()},
            {"work-dir", "DIR", "FMG_WORK_DIR", "/var/lib/fmg-agent",
             "repository cache, job workspaces and log spool", options::non_empty()},
            {"capacity", "N", "FMG_CAPACITY", "1", "jobs at once",
             options::integer_between(1, 256)},
            {"labels", "a,b", "FMG_LABELS", "", "labels jobs can ask for",
             [](std::string_view text) { return runner_labels_problem(text); }},
            {"executor", "docker|shell", "FMG_EXECUTOR", "docker", "where steps run",
             options::one_of({"docker", "shell"})},
            {"docker-socket", "PATH", "DOCKER_HOST", "/var/run/docker.sock",
             "Docker engine socket (DOCKER_HOST=unix://PATH)",
             [](std::string_view path) -> std::optional<std::string> {
                 if (path.empty() || path.front() != '/') {
                     return "only a Unix socket is supported: a path, or DOCKER_HOST=unix://PATH";
                 }
                 return std::nullopt;
             }},
            {"drain-timeout", "MS", "FMG_DRAIN_TIMEOUT_MS", "600000",
             "on SIGTERM, how long running jobs may finish before they are handed back",
             options::integer_between(0, 24 * 3600 * 1000)},
            {"pass-env", "NAME", "FMG_PASS_ENV", "",
             "pass the agent's variable NAME to shell steps (repeatable, or NAME,NAME); steps "
             "get no other variable of the agent's",
             check_pass_env},
            {"insecure", "", "", "", "connect without CURVE (coordinator runs --insecure-agents)",
             nullptr},
            // Docker jobs' confinement: limits per container, and the host's services.
            {"job-memory", "BYTES|SIZE", "FMG_JOB_MEMORY", "",
             "memory limit of each Docker job and service container, e.g. 2g (default: none)",
             job_memory_value()},
            {"job-cpus", "N", "FMG_JOB_CPUS", "",
             "CPUs each Docker job and service container may use, e.g. 1.5 (default: all)",
             job_cpus_value()},
            {"job-pids", "N", "FMG_JOB_PIDS", std::to_string(kDefaultJobPids),
             "processes and threads each Docker job and service container may have",
             options::integer_between(kMinJobPids, kMaxJobPids)},
            {"allow-job-docker", "", "FMG_ALLOW_JOB_DOCKER", "",
             "give jobs with a setup_remote_docker step this host's Docker engine (their code "
             "then controls the host as root: only for trusted repositories)",
             nullptr},
            {"job-network-host-access", "", "FMG_JOB_NETWORK_HOST_ACCESS", "",
             "let Docker jobs reach services listening on this host (default: refused by a "
             "firewall rule the agent installs, which needs root or CAP_NET_ADMIN)",
             nullptr},
        });
    options::Outcome outcome = parser.parse(join_pass_env_flags(args), docker_env);
    if (outcome.kind != options::Outcome::Kind::run) return outcome;
    const options::Values& v = outcome.values;
    AgentSettings s;
    s.coordinator = v.text("coordinator");
    s.credentials = std::filesystem::absolute(v.text("credentials")).lexically_normal();
    s.name = v.get("name").value_or(host_name());
    s.work_dir = std::filesystem::absolute(v.text("work-dir")).lexically_normal();
    s.capacity = static_cast<uint32_t>(v.integer("capacity"));
    s.labels = split_runner_labels(v.text("labels"));
    s.capacity_given = v.source("capacity") != "default";
    s.labels_given = v.get("labels").has_value();
    s.executor = v.text("executor");
    s.docker_socket = v.text("docker-socket");
    s.drain_timeout_ms = v.integer("drain-timeout");
    s.insecure = v.flag("insecure");
    s.pass_env = split_pass_env(v.text("pass-env"));
    if (auto memory = v.get("job-memory")) s.job_memory_bytes = parse_job_memory(*memory).value();
    if (auto cpus = v.get("job-cpus")) s.job_nano_cpus = parse_job_cpus(*cpus).value();
    s.job_pids = v.integer("job-pids");
    s.job_network_host_access = v.flag("job-network-host-access");
    s.allow_job_docker = v.flag("allow-job-docker");
    return s;
}

}  // namespace fmg::agent
