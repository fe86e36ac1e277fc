#include "agent/executor/host_ssh_agent.h"

#include <sys/un.h>

#include <chrono>
#include <thread>

#include "agent/executor/run_program.h"

namespace fmg::agent {
namespace {

constexpr std::chrono::seconds kStartLimit{5};
// How often the start looks for the socket: ssh-agent makes it within milliseconds.
constexpr std::chrono::milliseconds kStartPoll{10};

}  // namespace

Result<HostSshAgent> HostSshAgent::start(const std::filesystem::path& socket, int64_t attempt) {
    // Where Debian's openssh-client (and every distribution's) puts it.
    const auto program = find_program({"/usr/bin/ssh-agent", "/bin/ssh-agent"});
    if (!program) {
        return Error{"ssh-agent is not installed on this runner (install openssh-client)"};
    }
    if (socket.native().size() >= sizeof(sockaddr_un{}.sun_path)) {
        return Error{"the SSH agent's socket " + socket.string() +
                     " is longer than a socket path may be: give the agent a shorter --work-dir"};
    }
    std::error_code ignored;
    std::filesystem::remove(socket, ignored);
    SpawnRequest request;
    request.argv = {*program, "-D", "-a", socket.string()};
    request.env = {"PATH=/usr/bin:/bin", "LC_ALL=C"};
    request.working_directory = "/";
    auto group = ShellStepGroup::start({}, attempt);
    if (!group) return Error{"start ssh-agent: " + group.error().message};
    request.process_group = (*group)->id();
    auto child = ChildProcess::spawn(request);
    if (!child) return Error{"start ssh-agent: " + child.error().message};
    const auto deadline = std::chrono::steady_clock::now() + kStartLimit;
    while (!std::filesystem::is_socket(socket, ignored)) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return Error{"ssh-agent made no socket at " + socket.string() + " within 5 s"};
        }
        std::this_thread::sleep_for(kStartPoll);
    }
    return HostSshAgent(std::move(*group), std::move(*child), socket);
}

HostSshAgent::HostSshAgent(HostSshAgent&& other) noexcept
    : group_(std::move(other.group_)),
      process_(std::move(other.process_)),
      socket_(std::move(other.socket_)) {
    other.process_.reset();  // the moved-from one owns nothing
    other.socket_.clear();
}

HostSshAgent::~HostSshAgent() {
    if (!process_) return;
    process_.reset();  // kills its group and reaps it
    group_.reset();    // and the group's guard
    std::error_code ignored;
    std::filesystem::remove(socket_, ignored);
}

}  // namespace fmg::agent
