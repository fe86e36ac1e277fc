#pragma once
// The command line of fmg-circleci: `tests glob`, `tests split` and `step halt`, under either
// name (`circleci` or `circleci-agent`). Separate from main() so tests run it in process.

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "agent/circleci/split.h"

namespace fmg::agent::circleci {

/// Exit codes of the helper.
inline constexpr int kCommandOk = 0;
inline constexpr int kCommandFailed = 1;
inline constexpr int kCommandUsage = 2;

/// Where a command runs: its name (argv[0]'s file name), streams, environment and directory.
struct CommandContext {
    std::string program;
    std::istream& in;
    std::ostream& out;
    std::ostream& err;
    EnvironmentLookup environment;
    std::filesystem::path directory;  // where relative patterns and names are
};

/// Runs `args` (argv without argv[0]): `tests glob PATTERN...`, `tests split [OPTIONS] [FILE]`,
/// `step halt`, or `help`. Returns the exit code: 0, 1 when the command failed (its reason on
/// `err`), 2 for a command or option fmg does not provide (saying what it provides).
int run_command(const std::vector<std::string>& args, const CommandContext& context);

}  // namespace fmg::agent::circleci
