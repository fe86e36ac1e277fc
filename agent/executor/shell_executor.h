#pragma once
// The shell executor: a job's steps as processes on the agent's host, in the job's
// workspace (see docs/executors.md). For hosts and tests without Docker; steps run with
// the agent's privileges.

#include <filesystem>

#include "agent/executor/executor.h"

namespace fmg::agent {

class ShellExecutor final : public Executor {
  public:
    /// `work_dir`: the agent's work directory; a relative JobSpec::workspace is under it.
    explicit ShellExecutor(std::filesystem::path work_dir);

    std::string name() const override { return "shell"; }

    /// Checks the workspace is a directory and picks the shell (/bin/bash, else /bin/sh).
    /// Writes nothing to `output`. Fails when the workspace is missing.
    Result<std::unique_ptr<JobSession>> start(const JobSpec& job,
                                              const OutputSink& output) override;

    /// Kills the step processes an earlier agent process left running (recorded under
    /// WORK_DIR/shell-steps; see shell_step_records.h), except those of `attempts_to_keep`.
    /// A live agent's steps end with their step, or with the agent (shell_step_group.h); this
    /// covers the rest. Returns how many step process groups it killed.
    size_t remove_orphans(const std::vector<int64_t>& attempts_to_keep) override;

  private:
    std::filesystem::path work_dir_;
};

}  // namespace fmg::agent
