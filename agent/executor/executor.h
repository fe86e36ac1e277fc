#pragma once
// How an agent runs the steps of one job: in a Docker container (docker executor) or as host
// processes (shell executor). The agent's job runner checks the commit out into a workspace,
// starts a JobExecution, runs each step in it and closes it.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/result.h"

namespace fmg::agent {

using Environment = std::map<std::string, std::string>;

/// Receives a step's output (stdout and stderr interleaved as produced), from the thread
/// that runs the step.
using OutputSink = std::function<void(std::string_view bytes)>;

/// What a job needs from its executor.
/// How one of a docker job's containers runs (PROTOCOL.md 6.2 `image_options`); every field
/// empty: as its image says.
struct ContainerOptions {
    std::string name;  // a host name for it (127.0.0.1: the job's containers share a network)
    std::vector<std::string> entrypoint;  // empty: the image's
    std::vector<std::string> command;     // empty: the image's; the primary runs none without
    std::string user;                     // empty: the image's; the primary's runs the steps
    Environment environment;              // the container's own variables
    // Registry credentials, each a literal or `$NAME`/`${NAME}` naming a variable of the
    // job's environment (never the agent's); empty username: none.
    std::string auth_username;
    std::string auth_password;
};

struct JobSetup {
    int64_t attempt_id = 0;             // containers are labelled with it
    std::string image;                  // docker: the primary image
    std::vector<std::string> services;  // docker: service images sharing its network
    ContainerOptions primary_options;   // docker: how the primary runs
    // docker: how each service runs, in the order of `services`; empty: as the images say.
    std::vector<ContainerOptions> service_options;
    Environment environment;          // the job's environment
    std::string working_directory;    // as configured, e.g. "~/project"
    std::filesystem::path workspace;  // host directory holding the checkout
    // The job has a `setup_remote_docker` step: where the executor allows it
    // (Executor::job_docker_host), its steps can reach the Docker engine.
    bool docker_engine = false;
};

struct RunStep {
    std::string name;
    std::string command;
    // The step's `shell`, as configured ("/bin/sh -eu", "python3"); empty: the executor's
    // default, bash or sh with -eo pipefail (step_command.h).
    std::string shell;
    Environment environment;        // the step's own, on top of the job's
    std::string working_directory;  // empty: the job's; relative: under the job's
    // 0: none (a background step's default).
    std::chrono::milliseconds no_output_timeout{std::chrono::minutes(10)};
    // A descriptor that becomes readable when the step must stop although the job goes on
    // (a background step at the job's end); -1: none. run() then kills the step's processes
    // and returns `stopped`. An executor may wait on it instead of its cancel signal, so whoever
    // cancels the job signals it too (after JobExecution::cancel()).
    int stop_fd = -1;
};

struct StepExit {
    enum class Kind {
        exited,             // the command ended; see exit_code
        no_output_timeout,  // killed after no_output_timeout without output
        cancelled,          // JobExecution::cancel() was called
        stopped,            // RunStep::stop_fd became readable (and no cancel came)
        error,              // the executor failed (see message)
    };
    Kind kind = Kind::exited;
    int exit_code = 0;
    std::string message;
    // The step ran `circleci-agent step halt` (step_tools.h): the job runs no further step.
    bool halted = false;
};

/// One job's execution context: a container, or a directory on the host.
class JobExecution {
  public:
    virtual ~JobExecution() = default;

    /// Runs one step and blocks until it ends, sending its output to `output`. A line
    /// explaining a timeout or executor error is written to `output` before returning.
    /// Thread-safe: a background step runs on a thread of its own while later steps run.
    virtual StepExit run(const RunStep& step, const OutputSink& output) = 0;

    /// Writes a tar archive of what is at `path` in the job (as a step names it: relative to
    /// the job's working directory, `~` for the home, or absolute) to `archive`, its entries
    /// named from the path's last part as `docker cp` names them ("out", "out/a.txt"; a file:
    /// "a.txt"). Returns false, writing nothing, when nothing is at `path`. Fails with the
    /// reason. For the file steps (docs/files.md); called between steps.
    virtual Result<bool> export_path(const std::string& path,
                                     const std::filesystem::path& archive) = 0;

    /// Unpacks the tar `archive` (every entry checked safe by the caller) at `path` in the job
    /// (named as for export_path), creating it; files there are replaced by the archive's.
    /// Fails with the reason. For attach_workspace; called between steps.
    virtual Status import_archive(const std::string& path,
                                  const std::filesystem::path& archive) = 0;

    /// Starts the job's SSH agent where its steps run, once (later calls give the same), and
    /// returns the SSH_AUTH_SOCK its steps reach it by; an `add_ssh_keys` step then loads the
    /// keys from a step's variables (agent/job/ssh_keys.h). It ends with the job. Fails
    /// saying what is missing; an executor without one says so.
    virtual Result<std::string> start_ssh_agent(const OutputSink& output) {
        (void)output;
        return Error{"this executor gives jobs no SSH agent"};
    }

    /// Stops the running step (if any) and makes later run() calls return `cancelled` at
    /// once. Thread-safe: called from the agent's event loop while run() blocks elsewhere.
    virtual void cancel() = 0;

    /// Removes everything the execution created (containers). Idempotent.
    virtual void close() = 0;
};

class Executor {
  public:
    virtual ~Executor() = default;

    /// "docker" or "shell".
    virtual std::string name() const = 0;

    /// The DOCKER_HOST a job's steps use after its `setup_remote_docker` step, or nullopt
    /// when this runner gives jobs no Docker engine (the agent runs without
    /// --allow-job-docker).
    virtual std::optional<std::string> job_docker_host() const { return std::nullopt; }

    /// Checks that jobs can run (docker: the engine answers). Fails with a message naming
    /// what is missing, e.g. "Docker engine not reachable at /var/run/docker.sock: ...".
    virtual Status check() const { return {}; }

    /// Prepares a job (docker: pulls a missing image, writing progress to `output`, then
    /// creates and starts the containers). Fails with a message users can act on, e.g.
    /// Docker's own error for an image that cannot be pulled.
    virtual Result<std::unique_ptr<JobExecution>> start(const JobSetup& job,
                                                        const OutputSink& output) = 0;

    /// Removes leftovers (docker: containers labelled with an attempt id) of attempts the
    /// agent no longer runs. Returns how many it removed.
    virtual size_t remove_orphans(const std::vector<int64_t>& attempts_to_keep) = 0;
};

}  // namespace fmg::agent
