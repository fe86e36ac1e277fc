#include "agent/executor/child_process.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <vector>

#include "agent/executor/shell_step_sandbox.h"

namespace fmg::agent {
namespace {

// The sandboxed child's stack: it runs only system calls and the sandbox's loop.
constexpr size_t kSandboxedChildStackBytes = 64 * 1024;

// Where a forked child failed before its program ran, besides the sandbox's own operations
// (SandboxFailure::operation >= 0).
constexpr int kFailedSetup = -1;      // process group, signals or standard descriptors
constexpr int kFailedDirectory = -2;  // chdir to the working directory
constexpr int kFailedExec = -3;

// Frees posix_spawn's attribute objects on every path.
struct SpawnSetup {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    SpawnSetup() {
        posix_spawn_file_actions_init(&actions);
        posix_spawnattr_init(&attributes);
    }
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attributes);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
};

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    for (const auto& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
    pointers.push_back(nullptr);
    return pointers;
}

[[noreturn]] void report_and_exit(int report_fd, int operation, int error) {
    SandboxFailure failure{operation, error};
    (void)!::write(report_fd, &failure, sizeof failure);
    ::_exit(127);
}

// The forked child: what posix_spawn does below (group, signals, descriptors, directory),
// with the sandbox entered before the directory is changed (the workspace is mounted by it).
// The agent has threads, so only async-signal-safe calls are made here.
[[noreturn]] void run_forked_child(const SpawnRequest& request, int input_fd, int output_fd,
                                   int report_fd, char* const* argv, char* const* envp) {
    if (::setpgid(0, request.process_group) != 0) report_and_exit(report_fd, kFailedSetup, errno);
    struct sigaction defaults {};
    defaults.sa_handler = SIG_DFL;
    for (int signal = 1; signal < NSIG; ++signal) {
        if (signal != SIGKILL && signal != SIGSTOP) ::sigaction(signal, &defaults, nullptr);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    int input = input_fd >= 0 ? input_fd : ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (input < 0 || ::dup2(input, 0) < 0 || ::dup2(output_fd, 1) < 0 ||
        (!request.stderr_to_agent && ::dup2(output_fd, 2) < 0)) {
        report_and_exit(report_fd, kFailedSetup, errno);
    }
    SandboxFailure failure;
    if (!request.sandbox->enter(failure)) {
        report_and_exit(report_fd, failure.operation, failure.error);
    }
    if (::chdir(request.working_directory.c_str()) != 0) {
        report_and_exit(report_fd, kFailedDirectory, errno);
    }
    ::execve(argv[0], argv, envp);
    report_and_exit(report_fd, kFailedExec, errno);
}

// What the sandboxed child needs, on the parent's memory (the child shares it until exec).
struct ChildArguments {
    const SpawnRequest* request;
    int input_fd;
    int output_fd;
    int report_fd;
    char* const* argv;
    char* const* envp;
};

int sandboxed_child(void* arguments) {
    const auto& a = *static_cast<const ChildArguments*>(arguments);
    run_forked_child(*a.request, a.input_fd, a.output_fd, a.report_fd, a.argv, a.envp);
}

// Starts the child as posix_spawn does, sharing the agent's memory until it execs (CLONE_VM |
// CLONE_VFORK, this thread waiting meanwhile), enters the sandbox there and execs; returns
// once the program runs (the report pipe closes on exec) or with what failed. A fork would
// copy the agent's page tables for every step: that was most of a shell step's start.
Result<pid_t> fork_in_sandbox(const SpawnRequest& request, int input_fd, int output_fd,
                              char* const* argv, char* const* envp) {
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) return Error{std::string("pipe: ") + std::strerror(errno)};
    std::vector<char> stack(kSandboxedChildStackBytes);
    ChildArguments arguments{&request, input_fd, output_fd, report[1], argv, envp};
    pid_t pid = ::clone(sandboxed_child, stack.data() + stack.size(),
                        CLONE_VM | CLONE_VFORK | SIGCHLD, &arguments);
    if (pid < 0) {
        int error = errno;
        ::close(report[0]);
        ::close(report[1]);
        return Error{std::string("clone: ") + std::strerror(error)};
    }
    ::close(report[1]);
    SandboxFailure failure;
    ssize_t n;
    do {
        n = ::read(report[0], &failure, sizeof failure);
    } while (n < 0 && errno == EINTR);
    ::close(report[0]);
    if (n != static_cast<ssize_t>(sizeof failure)) return pid;  // exec closed the pipe
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    const std::string program = request.argv[0];
    switch (failure.operation) {
        case kFailedSetup:
            return Error{"cannot start " + program + ": " + std::strerror(failure.error)};
        case kFailedDirectory:
        case kFailedExec:
            return Error{"cannot start " + program + " in " + request.working_directory.string() +
                         ": " + std::strerror(failure.error)};
        default:
            return Error{"cannot start " + program + ": " + request.sandbox->describe(failure)};
    }
}

}  // namespace

Result<ChildProcess> ChildProcess::spawn(const SpawnRequest& request) {
    if (request.argv.empty()) return Error{"nothing to run"};
    if (request.input.size() > kMaxSpawnInput) return Error{"input too large for a pipe"};
    int input_fd = -1;  // the read end of the stdin pipe, when there is input
    if (!request.input.empty()) {
        int input_fds[2];
        if (::pipe2(input_fds, O_CLOEXEC) != 0)
            return Error{std::string("pipe: ") + std::strerror(errno)};
        ssize_t written = ::write(input_fds[1], request.input.data(), request.input.size());
        int write_errno = errno;
        ::close(input_fds[1]);
        if (written != static_cast<ssize_t>(request.input.size())) {
            ::close(input_fds[0]);
            return Error{std::string("write to stdin pipe: ") + std::strerror(write_errno)};
        }
        input_fd = input_fds[0];
    }
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        int pipe_errno = errno;
        if (input_fd >= 0) ::close(input_fd);
        return Error{std::string("pipe: ") + std::strerror(pipe_errno)};
    }

    auto argv = c_strings(request.argv);
    auto envp = c_strings(request.env);
    pid_t pid = -1;
    if (request.sandbox != nullptr) {
        auto forked = fork_in_sandbox(request, input_fd, pipe_fds[1], argv.data(), envp.data());
        ::close(pipe_fds[1]);
        if (input_fd >= 0) ::close(input_fd);
        if (!forked) {
            ::close(pipe_fds[0]);
            return forked.error();
        }
        return adopt(*forked, request.process_group, pipe_fds[0]);
    }

    SpawnSetup setup;
    // stdin from the input pipe or /dev/null; stdout (and stderr) into the pipe (dup2 clears
    // O_CLOEXEC on 0, 1, 2).
    if (input_fd >= 0) {
        posix_spawn_file_actions_adddup2(&setup.actions, input_fd, 0);
    } else {
        posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
    }
    posix_spawn_file_actions_adddup2(&setup.actions, pipe_fds[1], 1);
    if (!request.stderr_to_agent) posix_spawn_file_actions_adddup2(&setup.actions, pipe_fds[1], 2);
    posix_spawn_file_actions_addchdir_np(&setup.actions, request.working_directory.c_str());
    // Its own process group or the given one, no blocked signals, default dispositions (the
    // agent may ignore SIGPIPE; a step's `yes | head` must not).
    sigset_t none, defaults;
    sigemptyset(&none);
    sigfillset(&defaults);
    sigdelset(&defaults, SIGKILL);
    sigdelset(&defaults, SIGSTOP);
    posix_spawnattr_setpgroup(&setup.attributes, request.process_group);
    posix_spawnattr_setsigmask(&setup.attributes, &none);
    posix_spawnattr_setsigdefault(&setup.attributes, &defaults);
    posix_spawnattr_setflags(
        &setup.attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    int rc =
        ::posix_spawn(&pid, argv[0], &setup.actions, &setup.attributes, argv.data(), envp.data());
    ::close(pipe_fds[1]);
    if (input_fd >= 0) ::close(input_fd);
    if (rc != 0) {
        ::close(pipe_fds[0]);
        return Error{"cannot start " + request.argv[0] + " in " +
                     request.working_directory.string() + ": " + std::strerror(rc)};
    }
    return adopt(pid, request.process_group, pipe_fds[0]);
}

Result<ChildProcess> ChildProcess::adopt(pid_t pid, pid_t process_group, int output_fd) {
    ::fcntl(output_fd, F_SETFL, ::fcntl(output_fd, F_GETFL) | O_NONBLOCK);
    // Through syscall(): glibc 2.36's <sys/pidfd.h> lacks extern "C" for C++.
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    ChildProcess child(pid, process_group > 0 ? process_group : pid, output_fd, pidfd);
    if (pidfd < 0) return Error{std::string("pidfd_open: ") + std::strerror(errno)};
    return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      group_(std::exchange(other.group_, -1)),
      output_fd_(std::exchange(other.output_fd_, -1)),
      pidfd_(std::exchange(other.pidfd_, -1)),
      reaped_(std::exchange(other.reaped_, true)) {}

ChildProcess::~ChildProcess() {
    if (pid_ > 0 && !reaped_) {
        signal_group(SIGKILL);
        (void)reap();
    }
    close_output();
    if (pidfd_ >= 0) ::close(pidfd_);
}

void ChildProcess::close_output() {
    if (output_fd_ >= 0) ::close(output_fd_);
    output_fd_ = -1;
}

void ChildProcess::signal_group(int signal) const {
    // Once reaped, a group it led may be gone and its id given to someone else.
    if (pid_ > 0 && group_ > 0 && !reaped_) ::kill(-group_, signal);
}

Result<int> ChildProcess::reap() {
    if (reaped_) return Error{"process already reaped"};
    int status = 0;
    pid_t waited;
    do {
        waited = ::waitpid(pid_, &status, 0);
    } while (waited < 0 && errno == EINTR);
    reaped_ = true;
    if (waited < 0) return Error{std::string("waitpid: ") + std::strerror(errno)};
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

}  // namespace fmg::agent
