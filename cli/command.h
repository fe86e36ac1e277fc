#pragma once
// A subcommand of fmg: its name, its own options (the global ones are added to every
// command), how many arguments it takes, and the function that runs it.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cli/api_client.h"
#include "cli/console.h"
#include "shared/options.h"

namespace fmg::cli {

/// What a running command gets: its parsed options (global and its own), where to write,
/// and a client for the coordinator (which connects only when a call is made).
struct CommandContext {
    std::string program;  // "fmg list", for usage messages
    const options::Values& options;
    Console& console;
    ApiClient& api;
    // The values of the command's repeatable options, each occurrence in order (an option
    // given no times has no entry).
    std::map<std::string, std::vector<std::string>> repeated = {};
};

struct Command {
    std::string name;      // "list", or "configure add-runner"
    std::string synopsis;  // what follows the name in usage: "ID [JOB] [--follow]"
    std::string summary;   // one line for `fmg --help`
    std::vector<options::Spec> specs;
    size_t min_arguments = 0;
    size_t max_arguments = 0;
    std::function<int(const CommandContext&)> run;  // returns the exit code
    // Names of its options (in `specs`) that may be given more than once: every value is
    // kept, in CommandContext::repeated, and checked with the option's validator.
    std::vector<std::string> repeatable = {};
};

/// Every command, in the order `fmg --help` lists them.
std::vector<Command> all_commands();

}  // namespace fmg::cli
