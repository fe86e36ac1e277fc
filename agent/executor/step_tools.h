#pragma once
// What every step gets besides its shell: the commands CircleCI provides inside every job
// (`circleci tests glob|split`, `circleci-agent step halt`; agent/circleci/step_commands.h),
// and the job's halt file that `step halt` writes to. Each job has a directory of its own,
// WORK_DIR/step-tools/attempt-N, holding:
// - bin/circleci and bin/circleci-agent, links to the helper fmg-circleci (the shell executor
//   puts bin/ first on each step's PATH; the Docker executor binds the helper itself at
//   /usr/local/bin/circleci and /usr/local/bin/circleci-agent in the job's container);
// - halt, empty until a step runs `step halt` (the Docker executor binds it into the
//   container; the shell executor shows the directory to its steps, see shell_step_sandbox.h).

#include <cstdint>
#include <filesystem>
#include <vector>

#include "shared/result.h"

namespace fmg::agent {

/// Where the helper is (find_helper_program). Fails saying where it looked.
Result<std::filesystem::path> find_circleci_program();

/// One job's step tools.
struct StepTools {
    std::filesystem::path directory;  // WORK_DIR/step-tools/attempt-N; empty: none
    std::filesystem::path bin() const { return directory / "bin"; }
    std::filesystem::path halt_file() const { return directory / "halt"; }
    // The shell executor's SSH agent listens here (host_ssh_agent.h).
    std::filesystem::path ssh_agent_socket() const { return directory / "ssh-agent.sock"; }
};

/// WORK_DIR/step-tools/attempt-N.
std::filesystem::path step_tools_directory(const std::filesystem::path& work_dir, int64_t attempt);

/// Creates the attempt's step tools afresh (mode 0700) with bin/ linking both command names to
/// `program` (absolute), and an empty halt file of mode 0666: a container's user of any uid
/// must be able to write to it through its bind. Fails with the OS error.
Result<StepTools> create_step_tools(const std::filesystem::path& work_dir, int64_t attempt,
                                    const std::filesystem::path& program);

/// Whether a step asked for the job to end: the halt file is not empty.
bool halt_requested(const StepTools& tools);

/// Removes the step tools (and whatever a step put there). Idempotent.
void remove_step_tools(const StepTools& tools);

/// Removes the step tools of attempts not in `keep` (an earlier agent process's). Returns how
/// many it removed.
size_t remove_leftover_step_tools(const std::filesystem::path& work_dir,
                                  const std::vector<int64_t>& keep);

}  // namespace fmg::agent
