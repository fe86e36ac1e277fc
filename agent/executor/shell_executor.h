#pragma once
// The shell executor: a job's steps as processes on the agent's host, in the job's
// workspace (see docs/executors.md). Each step runs with the agent's uid, in a sandbox of
// its own (shell_step_sandbox.h) that hides the agent's credentials and work dir, with an
// allow-listed environment (shell_step_environment.h). Meant for trusted repositories: the
// Docker executor is the one for code from strangers.

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "agent/executor/executor.h"

namespace fmg::agent {

struct ShellExecutorOptions {
    std::filesystem::path work_dir;  // the agent's --work-dir
    // --pass-env: the agent's variables that steps get besides the fixed allow-list.
    std::vector<std::string> pass_env;
    // What steps must not read: the credentials file, ...
    std::vector<std::filesystem::path> hidden_files;
    // ... the Docker engine's sockets, unless the job gets the engine (below) ...
    std::vector<std::filesystem::path> docker_sockets = {};
    // ... and directories, e.g. systemd's CREDENTIALS_DIRECTORY.
    std::vector<std::filesystem::path> hidden_directories;
    // The helper fmg-circleci, which every step gets as `circleci` and `circleci-agent`
    // first on its PATH (step_tools.h); empty: steps get no CircleCI commands.
    std::filesystem::path circleci_program = {};
    // --allow-job-docker: the engine's socket, which the steps of a job with a
    // `setup_remote_docker` step may use; empty: no job gets an engine.
    std::string job_docker_socket = {};
};

class ShellExecutor final : public Executor {
  public:
    /// `options.work_dir`: a relative JobSetup::workspace is under it. Reads the agent's own
    /// environment once, here, for the variables steps may get.
    explicit ShellExecutor(ShellExecutorOptions options);

    std::string name() const override { return "shell"; }

    /// unix://SOCKET when jobs may get the engine (--allow-job-docker).
    std::optional<std::string> job_docker_host() const override;

    /// Checks that steps can be sandboxed (a user and a mount namespace can be made); fails
    /// saying what to enable.
    Status check() const override;

    /// Checks the workspace is a directory, picks the shell (/bin/bash, else /bin/sh) and
    /// creates the job's scratch directory and step tools. Writes nothing to `output`. Fails
    /// when the workspace is missing or those directories cannot be made.
    Result<std::unique_ptr<JobExecution>> start(const JobSetup& job,
                                                const OutputSink& output) override;

    /// Kills the step processes an earlier agent process left running (recorded under
    /// WORK_DIR/shell-steps; see shell_step_records.h), except those of `attempts_to_keep`,
    /// and removes the other attempts' scratch directories and step tools. A live agent's steps end
    /// with their step, or with the agent (shell_step_group.h); this covers the rest. Returns how
    /// many step process groups it killed.
    size_t remove_orphans(const std::vector<int64_t>& attempts_to_keep) override;

  private:
    ShellExecutorOptions options_;
    Environment base_environment_;  // what every step starts with (before the job's)
    std::string home_;              // the agent's home: what `~` means
    std::mutex blank_mutex_;        // one start() at a time makes the blank file
};

}  // namespace fmg::agent
