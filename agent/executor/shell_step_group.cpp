#include "agent/executor/shell_step_group.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "agent/executor/shell_process_table.h"
#include "agent/executor/shell_step_records.h"
#include "shared/log.h"

namespace fmg::agent {
namespace {

// The guard, in the forked child. The agent has threads, so only async-signal-safe calls
// may run here (no allocation, no locks, no logging) until _exit.
[[noreturn]] void run_guard(int watch_fd, int max_fd) {
    ::setpgid(0, 0);
    const pid_t self = ::getpid();
    // Never signal a group other than the one this process leads.
    if (::getpgrp() != self) ::_exit(1);
    sigset_t all;
    ::sigfillset(&all);
    // SIGTERM to the group, the first half of stopping a step, spares it: the group stays
    // guarded until the SIGKILL that ends it.
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    ::prctl(PR_SET_NAME, "fmg-step-guard", 0, 0, 0);
    if (watch_fd != 0) ::dup2(watch_fd, 0);
    // Keep nothing of the agent's: not the pipe's write end (the agent's death must close
    // it), nor other steps' output pipes (their end of stream must not wait for this).
    if (::close_range(1, UINT_MAX, 0) != 0) {
        for (int fd = 1; fd <= max_fd; ++fd) ::close(fd);
    }
    char byte;
    while (::read(0, &byte, 1) < 0 && errno == EINTR) {
    }
    // The agent is gone (or wrote, which it never does): end the step with it.
    ::kill(-self, SIGKILL);
    ::_exit(0);
}

}  // namespace

Result<std::unique_ptr<ShellStepGroup>> ShellStepGroup::start(
    const std::filesystem::path& records_directory, int64_t attempt) {
    const long open_max = ::sysconf(_SC_OPEN_MAX);
    const int max_fd = open_max > 0 && open_max < INT_MAX ? static_cast<int>(open_max) : 65536;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        return Error{std::string("cannot start a step's process group: pipe: ") +
                     std::strerror(errno)};
    }
    const pid_t guard = ::fork();
    if (guard < 0) {
        int error = errno;
        ::close(fds[0]);
        ::close(fds[1]);
        return Error{std::string("cannot start a step's process group: fork: ") +
                     std::strerror(error)};
    }
    if (guard == 0) run_guard(fds[0], max_fd);
    // Also here, so the group exists when this returns, whichever process runs first.
    ::setpgid(guard, guard);
    ::close(fds[0]);

    if (records_directory.empty())
        return std::make_unique<ShellStepGroup>(Key{}, guard, fds[1], "");
    auto group = std::make_unique<ShellStepGroup>(Key{}, guard, fds[1],
                                                  step_record_path(records_directory, attempt));
    auto stat = read_process_stat(guard);
    Status recorded =
        stat ? write_step_record(group->record_, {current_boot_id(), guard, stat->start_ticks})
             : Status(Error{"cannot read /proc/" + std::to_string(guard) + "/stat"});
    if (!recorded) {
        FMG_LOG(warn) << "attempt=" << attempt << " cannot record the step's process group "
                      << guard << " (" << recorded.error().message
                      << "); if this agent and the group's guard are both killed, the next "
                         "agent start cannot end the step's processes";
    }
    return group;
}

ShellStepGroup::ShellStepGroup(Key, pid_t guard, int watch_fd, std::filesystem::path record)
    : guard_(guard), watch_fd_(watch_fd), record_(std::move(record)) {}

ShellStepGroup::~ShellStepGroup() {
    ::kill(-guard_, SIGKILL);  // the guard is not reaped yet, so the group id is still ours
    ::close(watch_fd_);
    int status = 0;
    while (::waitpid(guard_, &status, 0) < 0 && errno == EINTR) {
    }
    if (record_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove(record_, ignored);
}

}  // namespace fmg::agent
