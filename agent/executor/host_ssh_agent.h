#pragma once
// The SSH agent of a shell-executor job (`add_ssh_keys`): OpenSSH's ssh-agent, run by the
// fmg-agent as a child on the host, listening on a socket in the job's step tools directory
// (which the steps' sandbox shows), as the agent's user, which is the steps' user too (ssh-agent
// serves only its own uid and root). It holds the job's keys in memory and ends with the job.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "agent/executor/child_process.h"
#include "agent/executor/shell_step_group.h"
#include "shared/result.h"

namespace fmg::agent {

class HostSshAgent {
  public:
    /// Starts `ssh-agent -D -a socket` and waits until the socket exists. It runs in a
    /// ShellStepGroup of its own, so it dies with the fmg-agent even when that is killed.
    /// Fails saying why (no ssh-agent on this host, a path too long for a socket, no socket in
    /// 5 s).
    static Result<HostSshAgent> start(const std::filesystem::path& socket, int64_t attempt);

    const std::filesystem::path& socket() const { return socket_; }

    /// Kills it (its keys go with it) and removes the socket.
    ~HostSshAgent();
    HostSshAgent(HostSshAgent&& other) noexcept;
    HostSshAgent& operator=(HostSshAgent&&) = delete;

  private:
    HostSshAgent(std::unique_ptr<ShellStepGroup> group, ChildProcess process,
                 std::filesystem::path socket)
        : group_(std::move(group)), process_(std::move(process)), socket_(std::move(socket)) {}

    std::unique_ptr<ShellStepGroup> group_;
    std::optional<ChildProcess> process_;
    std::filesystem::path socket_;
};

}  // namespace fmg::agent
