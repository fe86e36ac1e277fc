#pragma once
// The docker executor: each job in a container of its first image, kept alive while its
// steps run as execs, on a network of its own; service images share its network namespace
// (see docs/executors.md). Containers lose the capabilities a job does not need, run with
// no-new-privileges and the agent's limits (docs/security.md).

#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "agent/docker/client.h"
#include "agent/executor/docker_constants.h"
#include "agent/executor/docker_network_pool.h"
#include "agent/executor/executor.h"

namespace fmg::agent {

/// Labels on every container fmg creates.
inline constexpr const char* kAttemptLabel = "fmg.attempt";  // the attempt id
inline constexpr const char* kRoleLabel = "fmg.role";        // "job" or "service"
inline constexpr const char* kRunnerLabel = "fmg.runner";    // the agent's runner name

/// The primary container's command: stays up doing nothing, ends at once on SIGTERM.
inline constexpr const char* kKeepAliveScript =
    "trap 'exit 0' TERM; while :; do sleep 3600 & wait; done";

/// How the agent confines Docker jobs: the flags --job-memory, --job-cpus, --job-pids and
/// --job-network-host-access. Each limit applies to every job and service container alone.
struct DockerJobPolicy {
    int64_t memory_bytes = 0;  // 0: no limit
    int64_t nano_cpus = 0;     // CPUs x 10^9; 0: no limit
    int64_t pids_limit = kDefaultJobPids;
    bool host_access = false;  // jobs may reach this host's own services
    // --allow-job-docker: the engine's socket, bound into the primary of a job that has a
    // `setup_remote_docker` step; empty: no job gets an engine.
    std::string job_docker_socket = {};
};

/// Where a job given the engine finds its socket inside its container.
inline constexpr const char* kJobDockerSocket = "/var/run/docker.sock";

class CreatedResources;
struct DockerJobContext;

class DockerExecutor final : public Executor {
  public:
    /// `socket_path`: the Docker Engine's Unix socket; `work_dir`: the agent's work
    /// directory (a relative JobSetup::workspace is under it); `runner_name`: labels the
    /// containers, so agents sharing one engine only ever remove their own (empty: no label);
    /// `circleci_program`: the helper fmg-circleci, bound into every job's container as
    /// `circleci` and `circleci-agent` (empty: steps get no CircleCI commands).
    DockerExecutor(std::string socket_path, std::filesystem::path work_dir,
                   std::string runner_name = "", DockerJobPolicy policy = {},
                   std::filesystem::path circleci_program = {});

    std::string name() const override { return "docker"; }

    /// Fails with "Docker engine not reachable at PATH: <reason>" when it does not answer,
    /// when --job-cpus asks for more CPUs than the engine's host has, and (unless the policy
    /// allows host access) when the host firewall rule for job networks cannot be installed
    /// (see ensure_host_firewall).
    Status check() const override;

    /// unix:///var/run/docker.sock when the policy gives jobs the engine.
    std::optional<std::string> job_docker_host() const override;

    /// Pulls missing images (writing "Pulling IMAGE..." and Docker's progress to `output`),
    /// checks the host firewall rule is still there, creates the job's network, creates and
    /// starts the primary container on it with the workspace mounted at the job's working
    /// directory, then the services, and picks the shell (/bin/bash if the image has it,
    /// else /bin/sh). Fails with "pull IMAGE: <Docker's message>" or a similar line for the
    /// step that failed; nothing is left behind on failure.
    Result<std::unique_ptr<JobExecution>> start(const JobSetup& job,
                                                const OutputSink& output) override;

    /// Removes (force) every container of this runner (every fmg container when the runner
    /// has no name) labelled fmg.attempt with an id not in `attempts_to_keep`, then the
    /// networks of this runner (labelled fmg.role=network and fmg.runner) that no kept
    /// attempt's container uses, and the step tools of the attempts not kept. Returns how
    /// many containers and networks were removed; failures are logged.
    size_t remove_orphans(const std::vector<int64_t>& attempts_to_keep) override;

  private:
    // The image, pulled first (with `credentials`, if any) when it is not present.
    Result<docker::ImageInfo> ensure_image(
        const std::string& image, const std::optional<docker::RegistryCredentials>& credentials,
        const OutputSink& output) const;
    // Starts the primary's own process (its entrypoint and `command`), if it has one, beside
    // the steps: an exec the steps do not wait for, so it cannot keep them from running.
    Status start_primary_process(const JobSetup& job, const docker::ImageInfo& image,
                                 const DockerJobContext& context, const OutputSink& output) const;
    // Creates the job's network, the primary on it (workspace mounted), and the services.
    Status start_containers(const JobSetup& job, const std::filesystem::path& workspace,
                            DockerJobContext& context, CreatedResources& created) const;
    // A container spec with the labels, capabilities and limits every job container gets.
    docker::ContainerSpec confined_spec(const JobSetup& job, const std::string& image,
                                        const std::string& role) const;
    // Removes the networks of this runner that neither an attempt kept (by its label, or
    // its containers' network) nor this process's pool uses; returns how many.
    size_t remove_orphan_networks(const std::vector<int64_t>& attempts_to_keep,
                                  const std::set<std::string>& kept_networks);
    // Hands the workspace to a non-root step user (`user`, else the image's) and picks the
    // shell.
    Status prepare_primary(const std::string& user, DockerJobContext& context) const;

    docker::DockerClient client_;
    std::filesystem::path work_dir_;
    std::string runner_name_;
    DockerJobPolicy policy_;
    std::filesystem::path circleci_program_;
    std::shared_ptr<DockerNetworkPool> networks_;  // shared with the executions, which give
                                                   // their network back when they close
    std::mutex firewall_mutex_;  // one job at a time checks (and repairs) the rule
};

}  // namespace fmg::agent
