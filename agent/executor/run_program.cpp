#include "agent/executor/run_program.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

namespace fmg::agent {

std::optional<std::string> find_program(std::initializer_list<const char*> paths) {
    for (const char* path : paths) {
        if (::access(path, X_OK) == 0) return std::string(path);
    }
    return std::nullopt;
}

Result<ProgramOutcome> run_program(const SpawnRequest& request, std::chrono::milliseconds timeout,
                                   size_t max_output) {
    const std::string program = request.argv.empty() ? std::string() : request.argv.front();
    auto child = ChildProcess::spawn(request);
    if (!child) return Error{"start " + program + ": " + child.error().message};
    ProgramOutcome outcome;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (child->output_fd() >= 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            child->signal_group(SIGKILL);  // the destructor reaps it
            return Error{
                program + " did not finish in " +
                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
                " s"};
        }
        pollfd readable{child->output_fd(), POLLIN, 0};
        int ready = ::poll(&readable, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno != EINTR) return Error{"poll: " + std::string(strerror(errno))};
        if (ready <= 0) continue;
        char buffer[1024];
        ssize_t got = ::read(child->output_fd(), buffer, sizeof buffer);
        if (got > 0) {
            size_t room = max_output - std::min(max_output, outcome.output.size());
            outcome.output.append(buffer, std::min(room, static_cast<size_t>(got)));
        } else if (got == 0 || errno != EAGAIN) {
            child->close_output();
        }
    }
    pollfd exited{child->exit_fd(), POLLIN, 0};
    (void)::poll(&exited, 1, 5000);
    auto code = child->reap();
    if (!code) return code.error();
    outcome.exit_code = *code;
    while (!outcome.output.empty() && outcome.output.back() == '\n') outcome.output.pop_back();
    return outcome;
}

}  // namespace fmg::agent
