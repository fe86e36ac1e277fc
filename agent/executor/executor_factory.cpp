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
    auto hide = [&](const std::filesystem::path& path) {
        if (path.empty() || !path.is_absolute()) return;
        if (std::find(shell.hidden_files.begin(), shell.hidden_files.end(), path) ==
            shell.hidden_files.end()) {
            shell.hidden_files.push_back(path.lexically_normal());
        }
    };
    hide(options.credentials_file);
    hide(options.docker_socket);
    for (const char* socket : kUsualDockerSockets) hide(socket);
    shell.hidden_directories = options.hidden_directories;
    shell.circleci_program = options.circleci_program;
    return shell;
}

}  // namespace

std::unique_ptr<Executor> make_executor(const std::string& kind, const ExecutorOptions& options) {
    if (kind == "docker") {
        return std::make_unique<DockerExecutor>(options.docker_socket, options.work_dir,
                                                options.runner_name, options.docker_policy,
                                                options.circleci_program);
    }
    if (kind == "shell") return std::make_unique<ShellExecutor>(shell_options(options));
    return nullptr;
}

}  // namespace fmg::agent
