#include "agent/executor/executor_factory.h"

#include "agent/executor/docker_executor.h"
#include "agent/executor/shell_executor.h"

namespace fmg::agent {

std::unique_ptr<Executor> make_executor(const std::string& kind, const ExecutorOptions& options) {
    if (kind == "docker") {
        return std::make_unique<DockerExecutor>(options.docker_socket, options.work_dir,
                                                options.runner_name, options.docker_policy);
    }
    if (kind == "shell") return std::make_unique<ShellExecutor>(options.work_dir);
    return nullptr;
}

}  // namespace fmg::agent
