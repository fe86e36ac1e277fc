#include "agent/executor/step_command.h"

namespace fmg::agent {

std::vector<std::string> shell_argv(const std::string& shell, const std::string& command) {
    return {shell, "-eo", "pipefail", "-c", command};
}

Environment builtin_environment() {
    return {{"CI", "true"}, {"FMG", "true"}};
}

Environment step_environment(const Environment& job, const Environment& step) {
    Environment merged = builtin_environment();
    for (const auto& [name, value] : job) merged[name] = value;
    for (const auto& [name, value] : step) merged[name] = value;
    return merged;
}

std::vector<std::string> environment_list(const Environment& environment) {
    std::vector<std::string> list;
    list.reserve(environment.size());
    for (const auto& [name, value] : environment) list.push_back(name + "=" + value);
    return list;
}

}  // namespace fmg::agent
