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

namespace {

/// Checks one variable and adds it to `out`; errors point at `name_at` or `value_at`.
Problem add_variable(YamlReader& reader, const Node& name_at, const Node& value_at,
                     const std::string& name, std::string value, Environment& out) {
    if (!is_variable_name(name)) {
        return reader.error_at(name_at, "environment variable name " + quoted(name) +
                                            " is not valid (letters, digits and _, not starting "
                                            "with a digit)");
    }
    if (auto problem = check_wire_bytes(reader, name_at, "environment variable name", name,
                                        wire::kMaxNameBytes, "kMaxNameBytes")) {
        return problem;
    }
    if (value.find('\0') != std::string::npos) {
        // It becomes NAME=value in a process environment, where NUL ends the string.
        return reader.error_at(
            value_at, "environment variable " + quoted(name) + " has a NUL character in its value");
    }
    if (auto problem = check_wire_bytes(reader, value_at, "the value of " + quoted(name), value,
                                        wire::kMaxTextBytes, "kMaxTextBytes")) {
        return problem;
    }
    out[name] = std::move(value);
    return std::nullopt;
}

/// Adds every `NAME: value` of a map (the whole `environment`, or one item of its list).
Problem add_map(YamlReader& reader, std::vector<Entry>& variables, Environment& out) {
    for (const Entry& variable : variables) {
        std::string value;
        if (auto problem = reader.read_scalar(variable, value)) return problem;
        if (auto problem = add_variable(reader, variable.key_node, variable.where(), variable.key,
                                        std::move(value), out)) {
            return problem;
        }
    }
    return std::nullopt;
}

}  // namespace

Problem read_environment(YamlReader& reader, const Entry& entry, Environment& out) {
    if (!entry.value.is_sequence()) {
        std::vector<Entry> variables;
        if (auto problem = reader.read_map(entry, variables)) return problem;
        if (auto problem =
                check_wire_count(reader, entry.key_node, quoted(entry.key), variables.size(),
                                 wire::kMaxMapEntries, "kMaxMapEntries")) {
            return problem;
        }
        return add_map(reader, variables, out);
    }
    // CircleCI also takes a list: of `NAME=value` strings, or of maps (`- NAME: value`).
    std::vector<Node> items;
    if (auto problem = reader.read_sequence(entry, items)) return problem;
    for (const Node& item : items) {
        if (item.is_map()) {
            std::vector<Entry> variables;
            if (auto problem = reader.read_map(item, item, "an `environment` item", variables)) {
                return problem;
            }
            if (auto problem = add_map(reader, variables, out)) return problem;
            continue;
        }
        std::string text;
        if (auto problem = reader.read_scalar(item, item, "an `environment` item", text)) {
            return problem;
        }
        const size_t equals = text.find('=');
        if (equals == std::string::npos) {
            return reader.error_at(item,
                                   "an `environment` item must be NAME=value or a map "
                                   "NAME: value, not " +
                                       quoted(text));
        }
        if (auto problem = add_variable(reader, item, item, text.substr(0, equals),
                                        text.substr(equals + 1), out)) {
            return problem;
        }
    }
    if (out.size() > wire::kMaxMapEntries) {
        return reader.error_at(entry.key_node, quoted(entry.key) + " has more than " +
                                                   std::to_string(wire::kMaxMapEntries) +
                                                   " variables (kMaxMapEntries)");
    }
    return std::nullopt;
}

}  // namespace fmg::pipeline::detail
