#include "agent/executor/step_command.h"

namespace fmg::agent {

namespace {

// $1 is the command, the rest the configured shell's words. The command goes through a pipe,
// not a file: nothing is left behind in the image or on the host, and a step killed midway
// leaves no script. The shell's stdin stays /dev/null, so a command that reads stdin cannot
// eat the rest of the script.
constexpr const char* kFeedCommand = R"(command=$1
shift
printf '%s\n' "$command" | "$@" /dev/fd/3 3<&0 </dev/null)";

}  // namespace

std::vector<std::string> shell_words(const std::string& configured_shell) {
    std::vector<std::string> words;
    std::string word;
    for (char c : configured_shell) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            if (!word.empty()) words.push_back(std::move(word));
            word.clear();
        } else {
            word += c;
        }
    }
    if (!word.empty()) words.push_back(std::move(word));
    return words;
}

std::vector<std::string> shell_argv(const std::string& default_shell,
                                    const std::string& configured_shell,
                                    const std::string& command) {
    std::vector<std::string> words = shell_words(configured_shell);
    if (words.empty()) return {default_shell, "-eo", "pipefail", "-c", command};
    std::vector<std::string> argv = {kSh, "-c", kFeedCommand, "fmg-shell", command};
    for (auto& word : words) argv.push_back(std::move(word));
    return argv;
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
