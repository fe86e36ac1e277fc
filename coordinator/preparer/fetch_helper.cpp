#include "coordinator/preparer/fetch_helper.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>

#include "shared/git/credentials.h"
#include "shared/git/mirror.h"
#include "shared/git/url.h"
#include "shared/helper_program.h"

extern char** environ;

namespace fmg::coordinator {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// How often a waiting fetch looks at `stopping`.
constexpr milliseconds kStopCheck{200};
/// More of the helper's output than this is not kept: it writes short lines.
constexpr std::size_t kMaxLineBytes = 16 * 1024;

// Secrets of the coordinator that a fetch never needs: a hostile repository that crashed
// libgit2 into running its code would find them in the helper's environment.
constexpr const char* kWithheldVariables[] = {"WEBHOOK_SECRET=", "GITHUB_TOKEN="};

// The coordinator's environment (git credentials, HOME for known_hosts, proxies) without
// kWithheldVariables, with FMG_GIT_TOKEN_HOSTS set to the configured hosts unless the
// operator set it.
std::vector<std::string> helper_environment(const std::vector<std::string>& token_hosts) {
    std::vector<std::string> env;
    const std::string key = std::string(git::kTokenHostsEnvironmentVariable) + "=";
    bool has_hosts = false;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string_view variable(*entry);
        if (std::any_of(std::begin(kWithheldVariables), std::end(kWithheldVariables),
                        [&](const char* prefix) { return variable.rfind(prefix, 0) == 0; })) {
            continue;
        }
        env.emplace_back(*entry);
        if (env.back().rfind(key, 0) == 0 && env.back().size() > key.size()) has_hosts = true;
    }
    if (!has_hosts && !token_hosts.empty()) {
        std::string hosts;
        for (const auto& host : token_hosts) hosts += (hosts.empty() ? "" : ",") + host;
        env.push_back(key + hosts);
    }
    return env;
}

struct Helper {
    pid_t pid = -1;
    int input = -1;   // the helper's stdin
    int output = -1;  // the helper's stdout
};

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

Result<Helper> spawn_helper(const FetchRequest& request) {
    int in_pipe[2];
    int out_pipe[2];
    if (::pipe2(in_pipe, O_CLOEXEC) != 0)
        return Error{std::string("pipe: ") + std::strerror(errno)};
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
        ::close(in_pipe[0]);
        ::close(in_pipe[1]);
        return Error{std::string("pipe: ") + std::strerror(errno)};
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_pipe[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    // The coordinator blocks SIGTERM and SIGINT in every thread (one thread sigwaits): the
    // helper starts with none blocked and default handlers.
    sigset_t none;
    sigemptyset(&none);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    const std::string program = request.program.string();
    const std::string mirrors = request.mirrors_dir.string();
    std::vector<char*> argv = {const_cast<char*>(program.c_str()),
                               const_cast<char*>(mirrors.c_str()), nullptr};
    std::vector<std::string> env = helper_environment(request.token_hosts);
    std::vector<char*> envp;
    for (auto& entry : env) envp.push_back(entry.data());
    envp.push_back(nullptr);

    pid_t pid = -1;
    const int rc =
        ::posix_spawn(&pid, program.c_str(), &actions, &attributes, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    if (rc != 0) {
        ::close(in_pipe[1]);
        ::close(out_pipe[0]);
        return Error{"cannot start " + program + ": " + std::strerror(rc)};
    }
    return Helper{pid, in_pipe[1], out_pipe[0]};
}

// Writes the URL line; the helper reads it at once, and a pipe holds far more.
bool send_url(Helper& helper, const std::string& url) {
    const std::string line = url + "\n";
    size_t written = 0;
    while (written < line.size()) {
        ssize_t n = ::write(helper.input, line.data() + written, line.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        written += static_cast<size_t>(n);
    }
    close_fd(helper.input);
    return written == line.size();
}

int reap(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

std::string ms_text(milliseconds duration) {
    return std::to_string(duration.count()) + " ms";
}

}  // namespace

Result<std::filesystem::path> find_fetch_program() {
    return find_helper_program(kFetchProgramName, "fmg-coordinator");
}

Status fetch_with_deadlines(const FetchRequest& request, const std::atomic<bool>& stopping) {
    if (auto kind = git::classify_url(request.url);
        kind && (*kind == git::UrlKind::file || *kind == git::UrlKind::local_path)) {
        // No server can hang a local repository, and starting the helper (exec, dynamic
        // linking, libgit2's initialisation: ~5 ms here) would be most of its fetch.
        auto mirror = git::Mirror::open(request.mirrors_dir, request.url);
        if (!mirror) return mirror.error();
        return mirror->fetch();
    }
    const std::string action = "fetch " + git::strip_credentials(request.url);
    auto spawned = spawn_helper(request);
    if (!spawned) return Error{action + ": " + spawned.error().message};
    Helper helper = *spawned;
    if (!send_url(helper, request.url)) {
        ::kill(helper.pid, SIGKILL);
        close_fd(helper.output);
        reap(helper.pid);
        return Error{action + ": " + kFetchProgramName + " did not take the URL"};
    }

    const auto started = Clock::now();
    const auto last_moment = started + request.max_duration;
    auto silent_since = started;
    bool connected = false;
    std::string pending;     // a line not complete yet
    std::string last_error;  // the helper's `error: ` line
    std::optional<std::string> killed_because;
    while (true) {
        const auto now = Clock::now();
        const auto silence_deadline = silent_since + request.timeout;
        if (stopping) {
            killed_because = "stopped";
        } else if (now >= last_moment) {
            killed_because = "took longer than " +
                             std::to_string(std::chrono::duration_cast<std::chrono::minutes>(
                                                request.max_duration)
                                                .count()) +
                             " min, the most a fetch may take";
        } else if (now >= silence_deadline) {
            killed_because = connected ? "the server sent nothing for " + ms_text(request.timeout) +
                                             " (--fetch-timeout)"
                                       : "the server did not answer within " +
                                             ms_text(request.timeout) + " (--fetch-timeout)";
        }
        if (killed_because) {
            ::kill(helper.pid, SIGKILL);
            break;
        }
        const auto wait = std::min({silence_deadline, last_moment, now + kStopCheck}) - now;
        pollfd readable{helper.output, POLLIN, 0};
        const int ready =
            ::poll(&readable, 1,
                   static_cast<int>(std::chrono::duration_cast<milliseconds>(wait).count()) + 1);
        if (ready < 0 && errno != EINTR) {
            killed_because =
                std::string("cannot wait for ") + kFetchProgramName + ": " + std::strerror(errno);
            ::kill(helper.pid, SIGKILL);
            break;
        }
        if (ready <= 0) continue;
        char buffer[4096];
        const ssize_t got = ::read(helper.output, buffer, sizeof buffer);
        if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (got == 0) break;  // the helper closed its stdout: it is ending
        if (got < 0) {
            killed_because =
                std::string("cannot read from ") + kFetchProgramName + ": " + std::strerror(errno);
            ::kill(helper.pid, SIGKILL);
            break;
        }
        pending.append(buffer, static_cast<size_t>(got));
        size_t newline;
        while ((newline = pending.find('\n')) != std::string::npos) {
            const std::string line = pending.substr(0, newline);
            pending.erase(0, newline + 1);
            if (line == "connected") connected = true;
            if (line.rfind("error: ", 0) == 0) last_error = line.substr(7);
            silent_since = Clock::now();
        }
        if (pending.size() > kMaxLineBytes) pending.clear();
    }
    close_fd(helper.output);
    const int exit_code = reap(helper.pid);
    if (killed_because) return Error{action + ": " + *killed_because};
    if (exit_code == 0) return {};
    if (!last_error.empty()) return Error{last_error};
    const std::string how = exit_code > 128
                                ? "was killed by signal " + std::to_string(exit_code - 128)
                                : "exited with code " + std::to_string(exit_code);
    return Error{action + ": " + kFetchProgramName + " " + how};
}

}  // namespace fmg::coordinator
