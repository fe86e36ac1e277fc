#pragma once
// Builds the executor the agent was configured with (--executor docker|shell).

#include <filesystem>
#include <memory>
#include <string>

#include "agent/executor/docker_executor.h"
#include "agent/executor/executor.h"

namespace fmg::agent {

struct ExecutorOptions {
    std::string docker_socket = "/var/run/docker.sock";  // --docker-socket
    std::filesystem::path work_dir;                      // --work-dir
    std::string runner_name = "";                        // --name: labels its containers
    DockerJobPolicy docker_policy = {};                  // --job-memory, --job-cpus, ...
};

/// A "docker" or "shell" executor; nullptr for any other kind (flags validate it first).
/// Does not contact Docker: call Executor::check() for that.
std::unique_ptr<Executor> make_executor(const std::string& kind, const ExecutorOptions& options);

}  // namespace fmg::agent
