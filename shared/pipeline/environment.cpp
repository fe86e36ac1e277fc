#include "shared/pipeline/environment.h"

#include <string>
#include <vector>

#include "shared/pipeline/text.h"

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
    for (const Entry& variable : variables) {
        if (!is_variable_name(variable.key)) {
            return reader.error_at(variable.key_node,
                                   "environment variable name " + quoted(variable.key) +
                                       " is not valid (letters, digits and _, not starting "
                                       "with a digit)");
        }
        std::string value;
        if (auto problem = reader.read_scalar(variable, value)) return problem;
        out[variable.key] = std::move(value);
    }
    return std::nullopt;
}

}  // namespace fmg::pipeline::detail
