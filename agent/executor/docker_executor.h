#pragma once
// The docker executor: each job in a container of its first image, kept alive while its
// steps run as execs; service images share its network (see docs/executors.md).

#include <filesystem>
#include <string>

#include "agent/docker/client.h"
#include "agent/executor/executor.h"

namespace fmg::agent {

/// Labels on every container fmg creates.
inline constexpr const char* kAttemptLabel = "fmg.attempt";  // the attempt id
inline constexpr const char* kRoleLabel = "fmg.role";        // "job" or "service"
inline constexpr const char* kRunnerLabel = "fmg.runner";    // the agent's runner name

/// The primary container's command: stays up doing nothing, ends at once on SIGTERM.
inline constexpr const char* kKeepAliveScript =
    "trap 'exit 0' TERM; while :; do sleep 3600 & wait; done";

class CreatedContainers;
struct DockerJobContext;

class DockerExecutor final : public Executor {
  public:
    /// `socket_path`: the Docker Engine's Unix socket; `work_dir`: the agent's work
    /// directory (a relative JobSpec::workspace is under it); `runner_name`: labels the
    /// containers, so agents sharing one engine only ever remove their own (empty: no label).
    DockerExecutor(std::string socket_path, std::filesystem::path work_dir,
                   std::string runner_name = "");

    std::string name() const override { return "docker"; }

    /// Fails with "Docker engine not reachable at PATH: <reason>" when it does not answer.
    Status check() const override;

    /// Pulls missing images (writing "Pulling IMAGE..." and Docker's progress to `output`),
    /// creates and starts the primary container with the workspace mounted at the job's
    /// working directory, then the services, and picks the shell (/bin/bash if the image has
    /// it, else /bin/sh). Fails with "pull IMAGE: <Docker's message>" or a similar line for
    /// the step that failed; nothing is left behind on failure.
    Result<std::unique_ptr<JobSession>> start(const JobSpec& job,
                                              const OutputSink& output) override;

    /// Removes (force) every container of this runner (every fmg container when the runner
    /// has no name) labelled fmg.attempt with an id not in `attempts_to_keep`. Returns how
    /// many were removed; failures are logged.
    size_t remove_orphans(const std::vector<int64_t>& attempts_to_keep) override;

  private:
    Result<docker::ImageInfo> ensure_image(const std::string& image,
                                           const OutputSink& output) const;
    // Creates and starts the primary (workspace mounted) and the services.
    Status start_containers(const JobSpec& job, const std::filesystem::path& workspace,
                            DockerJobContext& context, CreatedContainers& created) const;
    // Hands the workspace to a non-root image user and picks the shell.
    Status prepare_primary(const docker::ImageInfo& image, DockerJobContext& context) const;

    docker::DockerClient client_;
    std::filesystem::path work_dir_;
    std::string runner_name_;
};

}  // namespace fmg::agent
