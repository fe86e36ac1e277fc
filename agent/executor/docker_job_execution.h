#pragma once
// One job run by the docker executor: a kept-alive primary container (plus service
// containers in its network namespace); each step is an exec of
// `SHELL -eo pipefail -c COMMAND` in the primary (see docs/executors.md).

#include <atomic>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "agent/docker/client.h"
#include "agent/executor/docker_network_pool.h"
#include "agent/executor/executor.h"
#include "agent/executor/step_output.h"
#include "agent/executor/step_tools.h"
#include "agent/executor/wake_signal.h"

namespace fmg::agent {

/// After a step's processes were killed for a no-output timeout, how long its exec may take
/// to end before the whole container is killed instead.
inline constexpr std::chrono::milliseconds kDockerStopGrace{10'000};

/// The environment variable that marks a step's processes, so they can be found and killed
/// inside the container.
inline constexpr const char* kStepMarkerVariable = "FMG_STEP_ID";

/// Empties the directory $1 (everything in it, hidden entries too, whatever their modes:
/// root in the container has CAP_DAC_OVERRIDE and CAP_FOWNER) and gives it to $2
/// ("uid:gid"), mode 0700: it is a mount point and stays, and a step may have chowned or
/// locked it. A pattern that matches nothing stays literal, which rm -f ignores.
inline constexpr const char* kEmptyDirectoryScript =
    R"(cd "$1" && rm -rf -- ./* ./.[!.]* ./..?* && chown "$2" . && chmod 0700 .)";

/// What DockerExecutor::start prepared for the execution.
struct DockerJobContext {
    int64_t attempt_id = 0;
    JobNetwork network;  // the job's own
    std::string primary_id;
    std::vector<std::string> service_ids;
    std::string shell;  // /bin/bash or /bin/sh, inside the image
    // The image's user, whom steps run as; empty for root. The container itself runs as
    // root: with no-new-privileges, an exec as root in a container of a non-root user gets
    // no capabilities, and the helpers (chown, emptying the workspace) need them.
    std::string step_user;
    std::string home;           // what `~` means inside the image
    std::string job_directory;  // absolute, inside the container (the workspace mount)
    Environment environment;    // the job's
    // Whether close() empties the workspace as root in the container (the agent is not root
    // and could not remove what the job made as root, or with modes that lock it out).
    bool empty_workspace_on_close = false;
    std::filesystem::path workspace;  // on the host: checked empty after that
    std::string agent_owner;          // "uid:gid" the emptied job directory is given to
    // The job's step tools: the halt file is bound into the primary (none: steps get no
    // CircleCI commands).
    StepTools tools;
    // Run when the job container could not empty the workspace (a step replaced its rm or
    // sh): a fresh container of the job's image, with the workspace mounted.
    docker::ContainerSpec cleanup;
};

class DockerJobExecution final : public JobExecution {
  public:
    /// `networks`: where the job's network goes back when the execution closes.
    DockerJobExecution(docker::DockerClient client, DockerJobContext context,
                       std::shared_ptr<DockerNetworkPool> networks);
    ~DockerJobExecution() override;

    StepExit run(const RunStep& step, const OutputSink& output) override;
    Result<bool> export_path(const std::string& path,
                             const std::filesystem::path& archive) override;
    Status import_archive(const std::string& path, const std::filesystem::path& archive) override;
    /// ssh-agent in the job's primary container, as the steps' user (ssh-agent serves only its
    /// own uid and root): the image must have it, as it must have ssh to use the keys. Its
    /// socket is in the container's /tmp; it ends with the container.
    Result<std::string> start_ssh_agent(const OutputSink& output) override;

    /// Wakes a blocking run(), which then kills the primary container and returns
    /// `cancelled`; later run() calls return `cancelled` at once.
    void cancel() override;

    /// Empties the workspace as root in the primary if the context says so (starting it
    /// again if a cancel stopped it; if that fails or leaves anything, in a fresh container
    /// of the job's image), then removes the service containers, the primary
    /// (force), removes the step tools, and hands the job's network to the pool for removal.
    /// Failures are logged. Idempotent.
    void close() override;

  private:
    enum class Outcome { ended, timed_out, cancelled, stopped };
    // Forwards the exec's output until it ends, a no-output timeout, a cancel, or `stop_fd`
    // (-1: none) becoming readable.
    Result<Outcome> follow(docker::ExecStream& stream, std::chrono::milliseconds limit, int stop_fd,
                           StepOutput& output);
    // Records why the container can no longer run steps (the first reason stays).
    void mark_broken(std::string reason);
    std::string broken_reason();
    Status ensure_directory(const std::string& directory);
    // Kills the processes carrying `marker` in the container; true when the exec ended.
    bool stop_step(docker::ExecStream& stream, const std::string& marker, StepOutput& output);
    std::string next_marker();
    // Removes everything in the job directory, as root in the primary; false when that
    // failed.
    bool empty_workspace();
    // The same in a fresh container of the job's image; logs what failed.
    void empty_workspace_in_fresh_container();

    docker::DockerClient client_;
    DockerJobContext context_;
    std::shared_ptr<DockerNetworkPool> networks_;
    WakeSignal cancel_signal_;
    std::atomic<bool> cancelled_{false};
    std::mutex broken_mutex_;
    std::string broken_;  // why the container can no longer run steps; under broken_mutex_
    std::atomic<int> steps_started_{0};
    std::mutex ssh_agent_mutex_;
    bool ssh_agent_started_ = false;  // guarded by ssh_agent_mutex_
    std::mutex close_mutex_;
    bool closed_ = false;
};

}  // namespace fmg::agent
