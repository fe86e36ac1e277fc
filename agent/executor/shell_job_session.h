#pragma once
// One job run by the shell executor: each step is `SHELL -eo pipefail -c COMMAND` in its
// own process group (a ShellStepGroup: it dies with the agent), in the workspace, with the
// agent's environment plus the job's and the step's, and FMG_ATTEMPT_ID.

#include <atomic>
#include <filesystem>
#include <string>

#include "agent/executor/child_process.h"
#include "agent/executor/executor.h"
#include "agent/executor/step_output.h"
#include "agent/executor/wake_signal.h"

namespace fmg::agent {

/// How long a step gets between SIGTERM and SIGKILL when it is stopped.
inline constexpr std::chrono::milliseconds kShellStopGrace{1000};

class ShellJobSession final : public JobSession {
  public:
    /// `shell`: absolute path of the shell; `home`: what `~` means in directories;
    /// `records_directory`: where each running step's process group is recorded.
    ShellJobSession(JobSpec job, std::string shell, std::string home,
                    std::filesystem::path records_directory);

    StepExit run(const RunStep& step, const OutputSink& output) override;
    void cancel() override;
    /// Nothing to remove: each step's processes are gone when run() returns.
    void close() override;

  private:
    std::vector<std::string> process_environment(const RunStep& step) const;
    StepExit supervise(ChildProcess& child, const RunStep& step, StepOutput& output);
    // SIGTERM to the group, SIGKILL after kShellStopGrace, then reaps.
    void stop(ChildProcess& child);
    // Passes on what the pipe holds now, closing it at end of stream; returns the byte count.
    size_t read_output(ChildProcess& child, StepOutput& output);

    JobSpec job_;
    std::string shell_;
    std::string home_;
    std::string job_directory_;
    std::filesystem::path records_directory_;
    WakeSignal cancel_signal_;
    std::atomic<bool> cancelled_{false};
};

}  // namespace fmg::agent
