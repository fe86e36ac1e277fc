#pragma once
// `circleci-agent step halt`: asks the agent to end the job, successfully unless a step has
// already failed, once the current step ends. The agent gives every step the path of the
// job's halt file (kHaltFileVariable); the command appends a line to it, and the agent, when
// the step ends, finds it not empty and runs no further step (docs/executors.md).

#include <ostream>
#include <string>

namespace fmg::agent::circleci {

/// Appends "halt" to the file `path` names (created if missing). Returns the exit code: 0, or
/// 1 with the reason on `err` (after `program`) when `path` is null (not in an fmg step) or
/// cannot be written.
int request_halt(const char* path, const std::string& program, std::ostream& err);

}  // namespace fmg::agent::circleci
