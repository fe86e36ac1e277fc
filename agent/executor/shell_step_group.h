#pragma once
// The process group a shell step runs in, made to die with the agent. Its leader is a small
// guard process forked from the agent: it blocks every signal it can and reads a pipe whose
// only writer is the agent. When the agent process ends in any way (SIGKILL included), the
// kernel closes that pipe, the guard's read returns, and the guard kills its whole group:
// the step's shell and everything it started, in well under a second.
//
// Why not PR_SET_PDEATHSIG on the shell: it fires when the *thread* that forked the shell
// ends, not the process (steps are started by job runner threads), and it reaches only the
// shell, not the processes the shell started, which would be re-parented and live on. The
// pipe is held by the process, whichever thread made it, and the guard kills the group.
//
// The group is also recorded (shell_step_records.h), for the case the guard cannot cover:
// the guard itself killed while the agent dies. The next agent start kills what is left.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>

#include "shared/result.h"

namespace fmg::agent {

class ShellStepGroup {
    // Only start() makes the key that the constructor needs.
    class Key {
        friend class ShellStepGroup;
        Key() = default;
    };

  public:
    /// Forks the guard as the leader of a new process group, and records the group in
    /// RECORDS_DIR/attempt-N.pgid (a record that cannot be written is logged as a warning:
    /// the guard works without it; an empty `records_directory`: no record, for a group that
    /// is not a step's). Fails when the pipe or the fork fails.
    static Result<std::unique_ptr<ShellStepGroup>> start(
        const std::filesystem::path& records_directory, int64_t attempt);

    /// Use start().
    ShellStepGroup(Key, pid_t guard, int watch_fd, std::filesystem::path record);
    /// Kills whatever is left in the group (the guard too), reaps the guard, removes the
    /// record.
    ~ShellStepGroup();
    ShellStepGroup(const ShellStepGroup&) = delete;
    ShellStepGroup& operator=(const ShellStepGroup&) = delete;

    /// The process group id, for the step's processes to join. It is not reused while this
    /// object lives: the guard is reaped only by the destructor.
    pid_t id() const { return guard_; }

  private:
    pid_t guard_;
    int watch_fd_;  // the write end of the guard's pipe; never written
    std::filesystem::path record_;
};

}  // namespace fmg::agent
