#pragma once
// A host process for the shell executor: started with posix_spawn in a process group of
// its own or in a given one (so the whole tree can be signalled), stdout and stderr merged
// into one pipe, stdin from /dev/null, and a pidfd that becomes readable when it exits.

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "shared/result.h"

namespace fmg::agent {

struct SpawnRequest {
    std::vector<std::string> argv;  // argv[0] is an absolute path
    std::vector<std::string> env;   // "NAME=value", the whole environment
    std::filesystem::path working_directory;
    // 0: a new process group led by the process; else the group to join, which must exist
    // and outlive the process (see ShellStepGroup).
    pid_t process_group = 0;
};

class ChildProcess {
  public:
    /// Starts the process. Fails with the OS error (e.g. a missing working directory).
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
    ChildProcess(pid_t pid, pid_t group, int output_fd, int pidfd)
        : pid_(pid), group_(group), output_fd_(output_fd), pidfd_(pidfd) {}

    pid_t pid_ = -1;
    pid_t group_ = -1;
    int output_fd_ = -1;
    int pidfd_ = -1;
    bool reaped_ = false;
};

}  // namespace fmg::agent
