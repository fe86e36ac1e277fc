#pragma once
// A value that names one variable of a job's environment instead of giving itself: `$NAME` or
// `${NAME}` (CircleCI's `auth` of a `docker` image). The config parser checks the form; the
// agent resolves it in the job's environment as the assign carries it.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "shared/result.h"

namespace fmg {

/// Whether `name` is a variable name a shell can export: `[A-Za-z_][A-Za-z0-9_]*`.
bool is_variable_name(std::string_view name);

/// Whether `value` is meant as a reference: it starts with `$`. Any other value is a literal.
inline bool is_variable_reference(std::string_view value) {
    return !value.empty() && value.front() == '$';
}

/// The variable `value` names (`$NAME` or `${NAME}`); nullopt when `value` starts with `$`
/// but is not exactly one such reference (`$A$B`, `${A`, `$1`), or is no reference at all.
std::optional<std::string> referenced_variable(std::string_view value);

/// `value` itself when it is a literal, else the value of the variable it references in
/// `environment`. Fails, naming `what` ("`auth.password` of image x"), on a malformed
/// reference or a variable that is not set; the error never contains a variable's value.
Result<std::string> resolve_variable_reference(
    const std::string& value, const std::map<std::string, std::string>& environment,
    std::string_view what);

}  // namespace fmg
