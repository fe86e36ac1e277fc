#include "shared/variable_reference.h"

namespace fmg {

namespace {

bool is_name_start(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

}  // namespace

bool is_variable_name(std::string_view name) {
    if (name.empty() || !is_name_start(name.front())) return false;
    for (char c : name) {
        if (!is_name_start(c) && !(c >= '0' && c <= '9')) return false;
    }
    return true;
}

std::optional<std::string> referenced_variable(std::string_view value) {
    if (!is_variable_reference(value)) return std::nullopt;
    std::string_view name = value.substr(1);
    if (name.size() >= 2 && name.front() == '{' && name.back() == '}') {
        name = name.substr(1, name.size() - 2);
    }
    if (!is_variable_name(name)) return std::nullopt;
    return std::string(name);
}

Result<std::string> resolve_variable_reference(
    const std::string& value, const std::map<std::string, std::string>& environment,
    std::string_view what) {
    if (!is_variable_reference(value)) return value;
    auto name = referenced_variable(value);
    if (!name) {
        return Error{std::string(what) +
                     " starts with $ but is not one variable reference ($NAME or ${NAME})"};
    }
    auto found = environment.find(*name);
    if (found == environment.end()) {
        return Error{std::string(what) + " references $" + *name +
                     ", which is not set in the job's environment"};
    }
    return found->second;
}

}  // namespace fmg
