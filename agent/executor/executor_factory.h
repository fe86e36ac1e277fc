#pragma once
// Builds the executor the agent was configured with (--executor docker|shell).

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agent/executor/docker_executor.h"
#include "agent/executor/executor.h"

namespace fmg::agent {

struct ExecutorOptions {
    std::string docker_socket = "/var/run/docker.sock";  // --docker-socket
    std::filesystem::path work_dir;                      // --work-dir
    std::string runner_name = "";                        // --name: labels its containers
    std::vector<std::string> pass_env = {};              // --pass-env (shell steps)
    std::filesystem::path credentials_file = {};         // --credentials: hidden from steps
    // Directories shell steps must not read, e.g. systemd's CREDENTIALS_DIRECTORY.
    std::vector<std::filesystem::path> hidden_directories = {};
    DockerJobPolicy docker_policy = {};  // --job-memory, --job-cpus, ...
    // The helper fmg-circleci (find_circleci_program): every step gets it as `circleci` and
    // `circleci-agent`. Empty: steps get no CircleCI commands.
    std::filesystem::path circleci_program = {};
    // --allow-job-docker: jobs with a `setup_remote_docker` step get `docker_socket`.
    bool allow_job_docker = false;
};

/// A "docker" or "shell" executor; nullptr for any other kind (flags validate it first).
/// Does not contact Docker: call Executor::check() for that. The shell executor hides from
/// its steps the credentials file, the Docker socket (`docker_socket` and the usual paths)
/// and `hidden_directories`.
std::unique_ptr<Executor> make_executor(const std::string& kind, const ExecutorOptions& options);

}  // namespace fmg::agent
