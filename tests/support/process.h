#pragma once
// Child processes for integration tests: the real binaries, started with fork/exec in their
// own process group, output in files, always killed and reaped (no leaked processes, ever).

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/wait.h"

namespace fmg::testing {

/// What to start. The child inherits this process's environment, minus every variable that
/// would silently change an fmg binary's configuration (FMG_* except FMG_LOG_LEVEL,
/// WEBHOOK_SECRET, GITHUB_TOKEN, PORT), plus `env`.
struct ProcessOptions {
    std::vector<std::string> argv;           // argv[0] is a path, or a name looked up in PATH
    std::map<std::string, std::string> env;  // set in the child, over the inherited ones
    std::filesystem::path cwd;               // empty: this process's
    std::filesystem::path stdin_file;        // read as standard input; empty: /dev/null
};

/// How a child ended.
struct ExitStatus {
    int code = -1;   // exit code when it exited normally, else -1
    int signal = 0;  // the signal that killed it, else 0

    bool exited_with(int expected) const { return signal == 0 && code == expected; }
    /// "exit code 3" or "killed by signal 9".
    std::string describe() const;
};

/// A running child. Its stdout and stderr go to LOG_DIR/NAME.stdout and LOG_DIR/NAME.stderr.
class Process {
  public:
    /// Starts the child. Throws std::runtime_error when the log files cannot be opened or the
    /// program cannot be executed (the exec error is reported back from the child).
    Process(std::string name, const ProcessOptions& options, const std::filesystem::path& log_dir);
    /// Kills the whole process group with SIGKILL (if anything is left) and reaps the child.
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    const std::string& name() const { return name_; }
    pid_t pid() const { return pid_; }

    /// Sends `signal` to the child only (not its process group); a no-op once it was reaped.
    void kill(int signal);
    /// Sends `signal` to the child's whole process group (it and anything it started).
    void kill_group(int signal);

    /// The exit status if the child has ended, without blocking.
    std::optional<ExitStatus> poll();
    /// Waits until the child ends or `deadline` passes; nullopt when it is still running.
    std::optional<ExitStatus> wait_for(Deadline deadline);
    bool running() { return !poll().has_value(); }

    /// SIGTERM, then up to `grace` for it to exit, then SIGKILL to the group. Returns how it
    /// ended.
    ExitStatus stop(std::chrono::milliseconds grace);

    const std::filesystem::path& stdout_path() const { return stdout_path_; }
    const std::filesystem::path& stderr_path() const { return stderr_path_; }
    std::string stdout_text() const;
    std::string stderr_text() const;

  private:
    std::string name_;
    std::filesystem::path stdout_path_;
    std::filesystem::path stderr_path_;
    pid_t pid_ = -1;
    std::optional<ExitStatus> status_;
};

/// What a finished command printed and how it ended.
struct CommandResult {
    ExitStatus status;
    std::string out;
    std::string err;
    bool timed_out = false;

    bool ok() const { return !timed_out && status.exited_with(0); }
    /// The command line, how it ended and its output, for assertion messages.
    std::string describe(const std::vector<std::string>& argv) const;
};

/// Runs a command to completion, capturing stdout and stderr through pipes. When `timeout`
/// passes first, kills its process group and returns with `timed_out` set. Throws
/// std::runtime_error when it cannot be started.
CommandResult run_command(const ProcessOptions& options,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// The processes `pid` started that still run (its children, not theirs), from
/// /proc/PID/task/*/children. Empty when it has none or is gone.
std::vector<pid_t> child_pids(pid_t pid);

}  // namespace fmg::testing
