#pragma once
// Exec helpers above the raw API: waiting for an exec's exit code, and running a short
// command (mkdir, chown, kill) in a container to completion.

#include <string>

#include "agent/docker/client.h"

namespace fmg::agent::docker {

/// Polls GET /exec/{id}/json until Docker reports the exec finished (its output stream can
/// end a moment before), and returns its exit code. Fails when `deadline` passes first.
Result<int> wait_exec_exit(const DockerClient& client, const std::string& exec_id,
                           SteadyTime deadline);

struct ExecOutcome {
    int exit_code = 0;
    std::string output;  // stdout and stderr, at most the first 64 KiB
};

/// Runs `spec` in container `container_id` and waits for it to end within `timeout`.
/// Fails when Docker refuses the exec or it does not end in time.
Result<ExecOutcome> run_exec(const DockerClient& client, const std::string& container_id,
                             const ExecSpec& spec, Millis timeout);

}  // namespace fmg::agent::docker
