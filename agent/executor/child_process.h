#pragma once
// A host process for the shell executor and the checkout helper: started with posix_spawn in
// a process group of its own or in a given one (so the whole tree can be signalled), stdout
// and stderr merged into one pipe (or stderr left to the agent), stdin from /dev/null or a given
// text, and a pidfd that becomes readable when it exits.

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "shared/result.h"

namespace fmg::agent {

class StepSandbox;

struct SpawnRequest {
    std::vector<std::string> argv;  // argv[0] is an absolute path
    std::vector<std::string> env;   // "NAME=value", the whole environment
    std::filesystem::path working_directory;
    // 0: a new process group led by the process; else the group to join, which must exist
    // and outlive the process (see ShellStepGroup).
    pid_t process_group = 0;
    // Read by the process on its stdin, then end of file; empty: stdin is /dev/null. At most
    // kMaxSpawnInput bytes (it is written into the pipe before the process starts).
    std::string input;
    // Whether stderr is the agent's own instead of the output pipe: a helper's log lines go
    // to the agent's log while its stdout answers.
    bool stderr_to_agent = false;
    // When set, the process enters this sandbox (shell_step_sandbox.h) before its program
    // starts, and is started with fork and exec instead of posix_spawn (which cannot run
    // code in between). Must outlive spawn().
    const StepSandbox* sandbox = nullptr;
};

/// A pipe's capacity on Linux unless changed: input up to this size never blocks the writer.
inline constexpr std::size_t kMaxSpawnInput = 64 * 1024;

class ChildProcess {
  public:
    /// Starts the process. Fails with the OS error (e.g. a missing working directory), or
    /// saying which part of entering the sandbox failed.
    static Result<ChildProcess> spawn(const SpawnRequest& request);

    ChildProcess(ChildProcess&& other) noexcept;
    ChildProcess& operator=(ChildProcess&&) = delete;
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    /// Kills the group (SIGKILL) and reaps the process if that has not happened yet.
    ~ChildProcess();

    pid_t pid() const { return pid_; }
    /// The read end of the output pipe (non-blocking), or -1 once closed.
    int output_fd() const { return output_fd_; }
    /// Readable once the process has exited.
    int exit_fd() const { return pidfd_; }

    /// Closes the output pipe (at end of stream, or to stop reading).
    void close_output();

    /// Sends `signal` to every process of its group, until the process is reaped (while it
    /// is a zombie, a group it leads keeps its id). A group already gone is fine.
    void signal_group(int signal) const;

    /// Waits for the process (after exit_fd() is readable it does not block) and returns
    /// its exit code, or 128 + the signal number that killed it.
    Result<int> reap();

  private:
    // Wraps a started process and the read end of its output pipe (made non-blocking).
    static Result<ChildProcess> adopt(pid_t pid, pid_t process_group, int output_fd);

    ChildProcess(pid_t pid, pid_t group, int output_fd, int pidfd)
        : pid_(pid), group_(group), output_fd_(output_fd), pidfd_(pidfd) {}

    pid_t pid_ = -1;
    pid_t group_ = -1;
    int output_fd_ = -1;
    int pidfd_ = -1;
    bool reaped_ = false;
};

}  // namespace fmg::agent
