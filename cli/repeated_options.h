#pragma once
// Options a command takes more than once (`fmg trigger --param a=1 --param b=2`). The options
// table keeps one value per option, and a value may hold any character (a comma too), so
// every occurrence is taken out of the arguments before they are parsed, each kept whole.

#include <map>
#include <string>
#include <vector>

namespace fmg::cli {

struct RepeatedOptions {
    std::vector<std::string> rest;  // the arguments without them, for the options parser
    std::map<std::string, std::vector<std::string>> values;  // each option's values, in order
};

/// Takes each `--NAME VALUE` and `--NAME=VALUE` of the options in `names` out of `args`, up
/// to a `--` (after it, everything is an argument). A `--NAME` with no value after it is
/// left in place, for the parser to refuse as it refuses any option missing its value.
RepeatedOptions take_repeated_options(const std::vector<std::string>& args,
                                      const std::vector<std::string>& names);

}  // namespace fmg::cli
