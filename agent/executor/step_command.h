#pragma once
// What every executor runs for a `run` step: the command in a shell with CircleCI's flags,
// and the environment it sees.

#include <string>
#include <vector>

#include "agent/executor/executor.h"

namespace fmg::agent {

/// The shell a step runs in when the image or host has bash.
inline constexpr const char* kBash = "/bin/bash";
/// The fallback; busybox, dash and bash as sh all accept `-o pipefail`.
inline constexpr const char* kSh = "/bin/sh";

/// `{shell, "-eo", "pipefail", "-c", command}`: stop at the first failing command, and a
/// pipeline fails when any part of it fails (CircleCI's default shell flags).
std::vector<std::string> shell_argv(const std::string& shell, const std::string& command);

/// The variables the agent sets for every step: CI=true and FMG=true. CircleCI's built-in
/// variables (CIRCLECI, CIRCLE_*) and fmg's ids come from the coordinator, in the job's
/// environment of the assign (coordinator/domain/builtin_environment.h).
Environment builtin_environment();

/// What a step sees on top of the executor's base environment: the builtins, overridden by
/// the job's environment, overridden by the step's.
Environment step_environment(const Environment& job, const Environment& step);

/// `NAME=value` strings, as exec and Docker take them.
std::vector<std::string> environment_list(const Environment& environment);

}  // namespace fmg::agent
