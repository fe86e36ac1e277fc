#include "agent/job/checkout.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "shared/helper_program.h"

extern char** environ;

namespace fmg::agent {
namespace {

// More of the helper's answer than this is not kept: a reason is one line.
constexpr std::size_t kMaxAnswerBytes = 16 * 1024;

std::vector<std::string> current_environment() {
    std::vector<std::string> env;
    for (char** entry = environ; *entry != nullptr; ++entry) env.emplace_back(*entry);
    return env;
}

// Waits until `fd` is readable; false when poll fails.
bool wait_readable(int fd) {
    pollfd waiting{fd, POLLIN, 0};
    int rc;
    do {
        rc = ::poll(&waiting, 1, -1);
    } while (rc < 0 && errno == EINTR);
    return rc > 0;
}

// Everything the helper writes to stdout until it closes it (it exits), up to
// kMaxAnswerBytes.
std::string read_answer(ChildProcess& helper) {
    std::string answer;
    char buffer[4096];
    while (wait_readable(helper.output_fd())) {
        ssize_t got = ::read(helper.output_fd(), buffer, sizeof buffer);
        if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (got <= 0) break;
        size_t room = kMaxAnswerBytes - std::min(answer.size(), kMaxAnswerBytes);
        answer.append(buffer, std::min(static_cast<size_t>(got), room));
    }
    helper.close_output();
    while (!answer.empty() && (answer.back() == '\n' || answer.back() == '\r')) answer.pop_back();
    return answer;
}

}  // namespace

Result<std::filesystem::path> find_checkout_program() {
    return find_helper_program(kCheckoutProgramName, "fmg-agent");
}

Status Checkout::run(const CheckoutRequest& request) {
    SpawnRequest spawn;
    spawn.argv = {request.program.string(), request.mirrors_dir.string(), request.sha,
                  request.destination.string()};
    // Its environment is the agent's: the git credentials (FMG_GIT_TOKEN, FMG_GIT_SSH_KEY,
    // SSH_AUTH_SOCK), HOME for known_hosts, proxies, FMG_LOG_LEVEL.
    spawn.env = current_environment();
    spawn.working_directory = "/";
    spawn.input = request.url + "\n";
    spawn.stderr_to_agent = true;
    {
        std::lock_guard lock(mutex_);
        if (cancelled_) return Error{"cancelled"};
        auto started = ChildProcess::spawn(spawn);
        if (!started) return started.error();
        helper_.emplace(std::move(*started));
    }
    // Only this thread reads and reaps; cancel() only signals, under the lock, so it never
    // signals a reaped process's recycled id.
    std::string answer = read_answer(*helper_);
    wait_readable(helper_->exit_fd());
    std::lock_guard lock(mutex_);
    Result<int> exit_code = helper_->reap();
    helper_.reset();
    if (cancelled_) return Error{"cancelled"};
    if (!exit_code) return exit_code.error();
    if (*exit_code == 0) return {};
    if (*exit_code == 1 && !answer.empty()) return Error{answer};
    std::string how = *exit_code > 128 ? "was killed by signal " + std::to_string(*exit_code - 128)
                                       : "exited with code " + std::to_string(*exit_code);
    return Error{std::string(kCheckoutProgramName) + " " + how +
                 (answer.empty() ? "" : ": " + answer)};
}

void Checkout::cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    if (helper_) helper_->signal_group(SIGKILL);
}

}  // namespace fmg::agent
