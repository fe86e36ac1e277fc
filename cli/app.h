#pragma once
// The fmg command line: finds the command, parses its options (global ones may stand
// before or after it), connects the API client and runs it.

#include <string>
#include <vector>

#include "cli/console.h"
#include "shared/options.h"

namespace fmg::cli {

/// Runs fmg with `args` (without the program name) and returns the process exit code
/// (SPEC "Exit codes"): --help and --version print to stdout and give 0; an unknown command,
/// option or bad value prints a message to stderr and gives 2.
int run(const std::vector<std::string>& args, Console& console, const options::EnvLookup& env);

/// The text of `fmg --help`: synopsis, commands, global options, exit codes.
std::string top_level_help();

}  // namespace fmg::cli
