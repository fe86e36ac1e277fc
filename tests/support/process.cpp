#include "tests/support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace fmg::testing {
namespace {

// Variables that configure an fmg binary behind a test's back: the test passes what it means.
bool is_stripped_variable(std::string_view name) {
    if (name == "FMG_LOG_LEVEL") return false;
    return name.starts_with("FMG_") || name == "WEBHOOK_SECRET" || name == "GITHUB_TOKEN" ||
           name == "PORT";
}

std::vector<std::string> child_environment(const std::map<std::string, std::string>& overrides) {
    std::vector<std::string> result;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string_view text(*entry);
        const std::string name(text.substr(0, text.find('=')));
        if (is_stripped_variable(name) || overrides.contains(name)) continue;
        result.emplace_back(text);
    }
    for (const auto& [name, value] : overrides) result.push_back(name + "=" + value);
    return result;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    for (auto& text : strings) pointers.push_back(text.data());
    pointers.push_back(nullptr);
    return pointers;
}

ExitStatus exit_status_from(int wait_status) {
    ExitStatus status;
    if (WIFEXITED(wait_status)) status.code = WEXITSTATUS(wait_status);
    if (WIFSIGNALED(wait_status)) status.signal = WTERMSIG(wait_status);
    return status;
}

// Only async-signal-safe calls between fork and exec: everything is prepared before.
[[noreturn]] void exec_child(pid_t parent, int stdin_fd, int stdout_fd, int stderr_fd, int error_fd,
                             const char* cwd, char** argv, char** envp) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // the test process died: so does the child
    if (::getppid() != parent) ::_exit(127);
    ::setpgid(0, 0);
    sigset_t all;
    ::sigemptyset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    for (int signal : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD}) ::signal(signal, SIG_DFL);
    ::dup2(stdin_fd, STDIN_FILENO);
    ::dup2(stdout_fd, STDOUT_FILENO);
    ::dup2(stderr_fd, STDERR_FILENO);
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);  // no test socket or file leaks into the child
    int error = 0;
    if (cwd[0] != '\0' && ::chdir(cwd) != 0) {
        error = errno;
    } else {
        ::execvpe(argv[0], argv, envp);
        error = errno;
    }
    [[maybe_unused]] ssize_t written = ::write(error_fd, &error, sizeof(error));
    ::_exit(127);
}

// Starts the child with the given descriptors as its stdin, stdout and stderr.
pid_t spawn(const ProcessOptions& options, int stdout_fd, int stderr_fd) {
    if (options.argv.empty()) throw std::runtime_error("spawn: empty argv");
    std::vector<std::string> argv_storage = options.argv;
    std::vector<std::string> env_storage = child_environment(options.env);
    std::vector<char*> argv = pointers_to(argv_storage);
    std::vector<char*> envp = pointers_to(env_storage);
    const std::string cwd = options.cwd.string();

    const std::string stdin_path =
        options.stdin_file.empty() ? std::string("/dev/null") : options.stdin_file.string();
    const int stdin_fd = ::open(stdin_path.c_str(), O_RDONLY | O_CLOEXEC);
    std::array<int, 2> error_pipe{};
    if (stdin_fd < 0 || ::pipe2(error_pipe.data(), O_CLOEXEC) != 0) {
        throw std::runtime_error(std::string("spawn: ") + std::strerror(errno));
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid == 0) {
        exec_child(parent, stdin_fd, stdout_fd, stderr_fd, error_pipe[1], cwd.c_str(), argv.data(),
                   envp.data());
    }
    const int fork_error = errno;
    ::close(stdin_fd);
    ::close(error_pipe[1]);
    if (pid < 0) {
        ::close(error_pipe[0]);
        throw std::runtime_error(std::string("fork: ") + std::strerror(fork_error));
    }
    ::setpgid(pid, pid);  // also here, so a signal to the group right after start reaches it
    int exec_error = 0;
    ssize_t got = 0;
    do {
        got = ::read(error_pipe[0], &exec_error, sizeof(exec_error));
    } while (got < 0 && errno == EINTR);
    ::close(error_pipe[0]);
    if (got == sizeof(exec_error)) {
        int ignored = 0;
        ::waitpid(pid, &ignored, 0);
        throw std::runtime_error("cannot run " + options.argv[0] +
                                 (cwd.empty() ? "" : " in " + cwd) + ": " +
                                 std::strerror(exec_error));
    }
    return pid;
}

int open_log(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
    }
    return fd;
}

}  // namespace

std::string ExitStatus::describe() const {
    if (signal != 0) return "killed by signal " + std::to_string(signal);
    return "exit code " + std::to_string(code);
}

Process::Process(std::string name, const ProcessOptions& options,
                 const std::filesystem::path& log_dir)
    : name_(std::move(name)),
      stdout_path_(log_dir / (name_ + ".stdout")),
      stderr_path_(log_dir / (name_ + ".stderr")) {
    std::filesystem::create_directories(log_dir);
    const int out = open_log(stdout_path_);
    const int err = open_log(stderr_path_);
    try {
        pid_ = spawn(options, out, err);
    } catch (...) {
        ::close(out);
        ::close(err);
        throw;
    }
    ::close(out);
    ::close(err);
}

Process::~Process() {
    kill_group(SIGKILL);
    if (!status_) {
        int wait_status = 0;
        while (::waitpid(pid_, &wait_status, 0) < 0 && errno == EINTR) {
        }
    }
}

void Process::kill(int signal) {
    if (!status_) ::kill(pid_, signal);
}

void Process::kill_group(int signal) {
    ::kill(-pid_, signal);
}

std::optional<ExitStatus> Process::poll() {
    if (status_) return status_;
    int wait_status = 0;
    if (::waitpid(pid_, &wait_status, WNOHANG) == pid_) status_ = exit_status_from(wait_status);
    return status_;
}

std::optional<ExitStatus> Process::wait_for(Deadline deadline) {
    while (!poll()) {
        if (Clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return status_;
}

ExitStatus Process::stop(std::chrono::milliseconds grace) {
    kill(SIGTERM);
    if (!wait_for(deadline_after(grace))) {
        kill_group(SIGKILL);
        wait_for(deadline_after(std::chrono::seconds(10)));
    }
    kill_group(SIGKILL);  // anything the child left behind in its group
    return status_.value_or(ExitStatus{});
}

std::string Process::stdout_text() const {
    return read_file_text(stdout_path_);
}

std::string Process::stderr_text() const {
    return read_file_text(stderr_path_);
}

std::string CommandResult::describe(const std::vector<std::string>& argv) const {
    std::string text = "$";
    for (const auto& arg : argv) text += " " + arg;
    text += timed_out ? "\n(timed out)" : "\n(" + status.describe() + ")";
    text += "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
    return text;
}

CommandResult run_command(const ProcessOptions& options, std::chrono::milliseconds timeout) {
    std::array<int, 2> out_pipe{};
    std::array<int, 2> err_pipe{};
    if (::pipe2(out_pipe.data(), O_CLOEXEC) != 0) {
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    }
    if (::pipe2(err_pipe.data(), O_CLOEXEC) != 0) {
        ::close(out_pipe[0]);
        ::close(out_pipe[1]);
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    }
    pid_t pid = -1;
    try {
        pid = spawn(options, out_pipe[1], err_pipe[1]);
    } catch (...) {
        for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
        throw;
    }
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);

    CommandResult result;
    const Deadline deadline = deadline_after(timeout);
    std::array<pollfd, 2> fds{pollfd{out_pipe[0], POLLIN, 0}, pollfd{err_pipe[0], POLLIN, 0}};
    std::array<std::string*, 2> sinks{&result.out, &result.err};
    int open_pipes = 2;
    while (open_pipes > 0) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            result.timed_out = true;
            ::kill(-pid, SIGKILL);
            break;
        }
        if (::poll(fds.data(), fds.size(), static_cast<int>(left.count())) < 0 && errno != EINTR) {
            break;
        }
        for (size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            char buffer[8192];
            const ssize_t got = ::read(fds[i].fd, buffer, sizeof(buffer));
            if (got > 0) {
                sinks[i]->append(buffer, static_cast<size_t>(got));
            } else if (got == 0 || errno != EINTR) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open_pipes;
            }
        }
    }
    for (const auto& entry : fds) {
        if (entry.fd >= 0) ::close(entry.fd);
    }
    int wait_status = 0;
    while (::waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
    }
    result.status = exit_status_from(wait_status);
    ::kill(-pid, SIGKILL);  // nothing the command started outlives it
    return result;
}

std::vector<pid_t> child_pids(pid_t pid) {
    std::vector<pid_t> children;
    std::error_code ec;
    const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
    for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
        std::ifstream list(task.path() / "children");
        for (pid_t child; list >> child;) children.push_back(child);
    }
    return children;
}

}  // namespace fmg::testing
