#pragma once
// Runs the fmg command line in-process, as a user would type it, and captures what it
// prints and returns.

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.h"
#include "cli/console.h"

namespace fmg::cli::testing {

struct CliRun {
    int exit_code = -1;
    std::string out;
    std::string err;
};

/// An environment holding exactly `variables`.
inline options::EnvLookup environment(std::map<std::string, std::string> variables) {
    return [variables](const std::string& name) -> std::optional<std::string> {
        auto it = variables.find(name);
        if (it == variables.end()) return std::nullopt;
        return it->second;
    };
}

/// Runs `fmg ARGS...` with the environment `variables` (HOME unset unless given).
inline CliRun run_fmg(const std::vector<std::string>& args,
                      std::map<std::string, std::string> variables = {}) {
    std::ostringstream out;
    std::ostringstream err;
    Console console{out, err};
    CliRun result;
    result.exit_code = run(args, console, environment(std::move(variables)));
    result.out = out.str();
    result.err = err.str();
    return result;
}

}  // namespace fmg::cli::testing
