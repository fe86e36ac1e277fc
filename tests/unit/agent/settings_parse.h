#pragma once
// Parsing fmg-agent's flags and environment in unit tests: a fake environment, the accepted
// settings, or the usage error's message.

#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "agent/setup/settings.h"

namespace fmg::agent::testing {

using Env = std::map<std::string, std::string>;

inline std::variant<AgentSettings, options::Outcome> parse(const std::vector<std::string>& args,
                                                           const Env& env = {}) {
    return parse_agent_settings(args, [env](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
    });
}

/// The settings; fails the test when the arguments were not accepted.
inline AgentSettings parse_ok(const std::vector<std::string>& args, const Env& env = {}) {
    auto result = parse(args, env);
    if (auto* outcome = std::get_if<options::Outcome>(&result)) {
        FAIL("not run: " << outcome->message);
    }
    return std::get<AgentSettings>(result);
}

/// The usage error's message; empty when the arguments were accepted (the checks on it fail).
inline std::string usage_error(const std::vector<std::string>& args, const Env& env = {}) {
    auto result = parse(args, env);
    const auto* outcome = std::get_if<options::Outcome>(&result);
    if (outcome == nullptr || outcome->kind != options::Outcome::Kind::usage_error) return "";
    return outcome->message;
}

}  // namespace fmg::agent::testing
