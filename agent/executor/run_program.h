#pragma once
// Runs a helper program of the agent's own to its end (iptables, ssh-keygen): a host process
// started as ChildProcess, its stdout and stderr together kept up to a bound, within a time
// limit. Not for steps: they have executors.

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>

#include "agent/executor/child_process.h"
#include "shared/result.h"

namespace fmg::agent {

struct ProgramOutcome {
    int exit_code = -1;  // 128 + the signal that killed it
    std::string output;  // stdout and stderr together, cut at the bound, without the last '\n's
};

/// The first of `paths` that is an executable file (helpers are looked for where
/// distributions install them, never in a PATH a config could influence); nullopt: none.
std::optional<std::string> find_program(std::initializer_list<const char*> paths);

/// Starts `request` and waits for its end. Fails when it cannot start, or has not finished
/// within `timeout` (it is then killed).
Result<ProgramOutcome> run_program(const SpawnRequest& request, std::chrono::milliseconds timeout,
                                   size_t max_output);

}  // namespace fmg::agent
