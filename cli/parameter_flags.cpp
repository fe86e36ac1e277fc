#include "cli/parameter_flags.h"

namespace fmg::cli {

options::Validator parameter_flag() {
    return [](std::string_view text) -> std::optional<std::string> {
        const auto equals = text.find('=');
        if (equals == std::string_view::npos) return "expected NAME=VALUE";
        if (equals == 0) return "the parameter's NAME (before '=') is empty";
        return std::nullopt;
    };
}

Result<std::map<std::string, std::string>> parameters_from_flags(
    const std::vector<std::string>& flags) {
    std::map<std::string, std::string> parameters;
    for (const std::string& flag : flags) {
        const auto equals = flag.find('=');
        const std::string name = flag.substr(0, equals);
        if (!parameters.emplace(name, flag.substr(equals + 1)).second) {
            return Error{"--param " + name + " is given twice"};
        }
    }
    return parameters;
}

}  // namespace fmg::cli
