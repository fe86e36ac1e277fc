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

/// The argv of a run step's command.
/// Without a configured shell: `{default_shell, "-eo", "pipefail", "-c", command}`: stop at the
/// first failing command, and a pipeline fails when any part of it fails (CircleCI's default
/// shell and flags; `default_shell` is kBash where it exists, else kSh).
/// With one (`shell: /bin/sh -eu`, `shell: python3`): its words (split at spaces and tabs, no
/// quoting) followed by the path of a file the command can be read from, as CircleCI runs a
/// custom shell, so interpreters that take a script file work as well as shells. The file is
/// /dev/fd/3, a pipe that a small /bin/sh wrapper fills with the command; the shell's stdin is
/// /dev/null, as the default shell's is.
std::vector<std::string> shell_argv(const std::string& default_shell,
                                    const std::string& configured_shell,
                                    const std::string& command);

/// The words of a configured shell: split at spaces and tabs.
std::vector<std::string> shell_words(const std::string& configured_shell);

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
