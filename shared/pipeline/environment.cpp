#include "shared/pipeline/environment.h"

#include <string>
#include <vector>

#include "shared/pipeline/text.h"
#include "shared/pipeline/wire_fit.h"
#include "shared/wire_limits.h"

namespace fmg::pipeline::detail {

namespace {

bool is_name_start(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool is_variable_name(std::string_view name) {
    if (name.empty() || !is_name_start(name.front())) return false;
    for (char c : name) {
        if (!is_name_start(c) && !is_ascii_digit(c)) return false;
    }
    return true;
}

}  // namespace

Problem read_environment(YamlReader& reader, const Entry& entry, Environment& out) {
    std::vector<Entry> variables;
    if (auto problem = reader.read_map(entry, variables)) return problem;
    if (auto problem = check_wire_count(reader, entry.key_node, quoted(entry.key), variables.size(),
                                        wire::kMaxMapEntries, "kMaxMapEntries")) {
        return problem;
    }
    for (const Entry& variable : variables) {
        if (!is_variable_name(variable.key)) {
            return reader.error_at(variable.key_node,
                                   "environment variable name " + quoted(variable.key) +
                                       " is not valid (letters, digits and _, not starting "
                                       "with a digit)");
        }
        if (auto problem = check_wire_bytes(reader, variable.key_node, "environment variable name",
                                            variable.key, wire::kMaxNameBytes, "kMaxNameBytes")) {
            return problem;
        }
        std::string value;
        if (auto problem = reader.read_scalar(variable, value)) return problem;
        if (value.find('\0') != std::string::npos) {
            // It becomes NAME=value in a process environment, where NUL ends the string.
            return reader.error_at(variable.where(), "environment variable " +
                                                         quoted(variable.key) +
                                                         " has a NUL character in its value");
        }
        if (auto problem =
                check_wire_bytes(reader, variable.where(), "the value of " + quoted(variable.key),
                                 value, wire::kMaxTextBytes, "kMaxTextBytes")) {
            return problem;
        }
        out[variable.key] = std::move(value);
    }
    return std::nullopt;
}

}  // namespace fmg::pipeline::detail
