#include "agent/executor/shell_step_environment.h"

#include "agent/executor/shell_constants.h"
#include "agent/executor/step_command.h"

extern char** environ;

namespace fmg::agent {
namespace {

bool is_variable_name(std::string_view name) {
    if (name.empty() || (name.front() >= '0' && name.front() <= '9')) return false;
    for (char c : name) {
        bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        if (!letter && !(c >= '0' && c <= '9') && c != '_') return false;
    }
    return true;
}

void copy_if_set(const Environment& from, const std::string& name, Environment& to) {
    if (auto found = from.find(name); found != from.end()) to[name] = found->second;
}

}  // namespace

Environment shell_step_base_environment(const Environment& agent,
                                        const std::vector<std::string>& pass_env,
                                        const StepUser& user) {
    Environment base{{"PATH", kDefaultStepPath}, {"HOME", user.home}, {"TERM", kStepTerm}};
    if (!user.name.empty()) {
        base["USER"] = user.name;
        base["LOGNAME"] = user.name;
    }
    for (const char* name : kStepInheritedVariables) copy_if_set(agent, name, base);
    for (const auto& name : pass_env) copy_if_set(agent, name, base);
    return base;
}

Environment shell_step_environment(const Environment& base, const Environment& job,
                                   const Environment& step) {
    Environment merged = base;
    for (const auto& [name, value] : step_environment(job, step)) merged[name] = value;
    return merged;
}

Environment current_process_environment() {
    Environment merged;
    for (char** entry = environ; entry && *entry; ++entry) {
        std::string_view text(*entry);
        size_t equals = text.find('=');
        if (equals == std::string_view::npos || equals == 0) continue;
        merged.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
    }
    return merged;
}

std::optional<std::string> pass_env_name_problem(std::string_view name) {
    if (!is_variable_name(name)) {
        return "'" + std::string(name) + "' is not a variable name ([A-Za-z_][A-Za-z0-9_]*)";
    }
    if (name.starts_with("FMG_") || name == "CREDENTIALS_DIRECTORY") {
        return std::string(name) + " is the agent's own setting or secret; it never reaches a step";
    }
    return std::nullopt;
}

std::vector<std::string> split_pass_env(std::string_view text) {
    std::vector<std::string> names;
    while (!text.empty()) {
        size_t comma = text.find(',');
        std::string_view part = text.substr(0, comma);
        if (!part.empty()) names.emplace_back(part);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return names;
}

}  // namespace fmg::agent
