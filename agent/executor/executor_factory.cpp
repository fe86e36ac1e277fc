#include "agent/executor/executor_factory.h"

#include <algorithm>

#include "agent/executor/docker_executor.h"
#include "agent/executor/shell_executor.h"

namespace fmg::agent {
namespace {

// Where a Docker engine's socket usually is, besides --docker-socket: a shell step must not
// reach an engine the agent's user may use (docker group membership is root-equivalent).
constexpr const char* kUsualDockerSockets[] = {"/run/docker.sock", "/var/run/docker.sock"};

ShellExecutorOptions shell_options(const ExecutorOptions& options) {
    ShellExecutorOptions shell;
    shell.work_dir = options.work_dir;
    shell.pass_env = options.pass_env;
    auto hide = [](std::vector<std::filesystem::path>& paths, const std::filesystem::path& path) {
        if (path.empty() || !path.is_absolute()) return;
        if (std::find(paths.begin(), paths.end(), path) == paths.end()) {
            paths.push_back(path.lexically_normal());
        }
    };
    hide(shell.hidden_files, options.credentials_file);
    hide(shell.docker_sockets, options.docker_socket);
    for (const char* socket : kUsualDockerSockets) hide(shell.docker_sockets, socket);
    if (options.allow_job_docker) shell.job_docker_socket = options.docker_socket;
    shell.hidden_directories = options.hidden_directories;
    shell.circleci_program = options.circleci_program;
    return shell;
}

}  // namespace

std::unique_ptr<Executor> make_executor(const std::string& kind, const ExecutorOptions& options) {
    if (kind == "docker") {
        DockerJobPolicy policy = options.docker_policy;
        if (options.allow_job_docker) policy.job_docker_socket = options.docker_socket;
        return std::make_unique<DockerExecutor>(options.docker_socket, options.work_dir,
                                                options.runner_name, policy,
                                                options.circleci_program);
    }
    if (kind == "shell") return std::make_unique<ShellExecutor>(shell_options(options));
    return nullptr;
}

}  // namespace fmg::agent
