#pragma once
// `--param NAME=VALUE`, repeatable: pipeline parameters given on the command line, as
// `fmg trigger` sends them and `fmg validate` checks a config with them.

#include <map>
#include <string>
#include <vector>

#include "shared/options.h"
#include "shared/result.h"

namespace fmg::cli {

/// `NAME=VALUE`: a parameter's name is everything before the first `=`, and may not be empty;
/// the value is everything after it, `=` and commas included, and may be empty.
options::Validator parameter_flag();

/// The parameters of the --param flags (each already passed parameter_flag()); an error
/// when a name is given twice.
Result<std::map<std::string, std::string>> parameters_from_flags(
    const std::vector<std::string>& flags);

}  // namespace fmg::cli
