#pragma once
// One job run by the shell executor: each step is `SHELL -eo pipefail -c COMMAND` in its
// own process group (a ShellStepGroup: it dies with the agent) and its own sandbox
// (shell_step_sandbox.h), in the workspace, with the allow-listed base environment plus the
// job's and the step's variables, and FMG_ATTEMPT_ID.

#include <atomic>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "agent/executor/child_process.h"
#include "agent/executor/executor.h"
#include "agent/executor/host_ssh_agent.h"
#include "agent/executor/shell_step_sandbox.h"
#include "agent/executor/step_output.h"
#include "agent/executor/step_tools.h"
#include "agent/executor/wake_signal.h"

namespace fmg::agent {

/// How long a step gets between SIGTERM and SIGKILL when it is stopped.
inline constexpr std::chrono::milliseconds kShellStopGrace{1000};

class ShellJobExecution final : public JobExecution {
  public:
    /// `shell`: absolute path of the shell; `home`: what `~` means in directories;
    /// `records_directory`: where each running step's process group is recorded;
    /// `base_environment`: what every step's environment starts with
    /// (shell_step_base_environment()); `sandbox`: what every step enters; `work_dir`: the
    /// agent's work dir, which steps see as `scratch`, the job's scratch directory (removed
    /// by close()); `tools`: the job's step tools (step_tools.h; removed by close()), whose
    /// bin/ comes first on every step's PATH.
    ShellJobExecution(JobSetup job, std::string shell, std::string home,
                      std::filesystem::path records_directory, Environment base_environment,
                      StepSandbox sandbox, std::filesystem::path work_dir,
                      std::filesystem::path scratch, StepTools tools = {});

    StepExit run(const RunStep& step, const OutputSink& output) override;
    Result<bool> export_path(const std::string& path,
                             const std::filesystem::path& archive) override;
    Status import_archive(const std::string& path, const std::filesystem::path& archive) override;
    /// ssh-agent on the host (host_ssh_agent.h), its socket in the step tools directory.
    Result<std::string> start_ssh_agent(const OutputSink& output) override;
    void cancel() override;
    /// Removes the job's scratch directory and step tools (each step's processes are gone
    /// when run() returns). Call it once no run() is in progress.
    void close() override;

  private:
    std::vector<std::string> process_environment(const RunStep& step) const;
    StepExit supervise(ChildProcess& child, const RunStep& step, StepOutput& output);
    // SIGTERM to the group, SIGKILL after kShellStopGrace, then reaps.
    void stop(ChildProcess& child);
    // Passes on what the pipe holds now, closing it at end of stream; returns the byte count.
    size_t read_output(ChildProcess& child, StepOutput& output);

    JobSetup job_;
    std::string shell_;
    std::string home_;
    std::string job_directory_;
    std::filesystem::path records_directory_;
    Environment base_environment_;
    StepSandbox sandbox_;
    std::filesystem::path work_dir_;
    std::filesystem::path scratch_;

    /// Where `path` in the job (as a step names it) is on the host.
    std::filesystem::path host_path(const std::string& path) const;
    /// host_path() with every symbolic link resolved, for the file steps, which the agent
    /// runs itself, outside the steps' sandbox: refused unless it is in the workspace, the
    /// scratch directory or /tmp, so a file step cannot read or write what the sandbox hides
    /// from steps (the runner's credentials, the Docker socket, other jobs' workspaces).
    Result<std::filesystem::path> file_step_path(const std::string& path) const;
    StepTools tools_;
    std::mutex ssh_agent_mutex_;
    std::optional<HostSshAgent> ssh_agent_;  // started by the first add_ssh_keys step
    std::atomic<bool> closed_{false};
    WakeSignal cancel_signal_;
    std::atomic<bool> cancelled_{false};
};

}  // namespace fmg::agent
