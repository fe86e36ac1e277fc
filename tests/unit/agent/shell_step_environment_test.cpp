// The allow-list a shell step's environment is built from (shell_step_environment.h), and the
// --pass-env names it accepts.

#include "agent/executor/shell_step_environment.h"

#include <catch2/catch.hpp>

#include "agent/executor/shell_constants.h"

using namespace fmg::agent;

namespace {

// An agent environment as an operator's shell or a unit could give it: settings, secrets,
// proxies, an ssh agent, a locale.
const Environment kAgentEnvironment = {
    {"PATH", "/home/op/bin:.:/usr/bin"},
    {"HOME", "/root"},
    {"FMG_CREDENTIALS", "/etc/fmg/agent.cred"},
    {"FMG_GIT_TOKEN", "ghp_secret"},
    {"FMG_TOKEN", "admin-token"},
    {"GITHUB_TOKEN", "ghs_secret"},
    {"FMG_SECRET_CANARY", "canary"},
    {"SSH_AUTH_SOCK", "/tmp/ssh-agent.sock"},
    {"HTTPS_PROXY", "http://proxy:3128"},
    {"CREDENTIALS_DIRECTORY", "/run/credentials/fmg-agent.service"},
    {"LANG", "C.UTF-8"},
    {"TZ", "Europe/Paris"},
    {"TERM", "xterm-256color"},
};

}  // namespace

TEST_CASE("step environment: a fixed base, the locale, nothing else of the agent's",
          "[shell-executor]") {
    Environment base =
        shell_step_base_environment(kAgentEnvironment, {}, {"/var/lib/fmg-agent", "fmg-agent"});
    CHECK(base == Environment{{"PATH", kDefaultStepPath},
                              {"HOME", "/var/lib/fmg-agent"},
                              {"USER", "fmg-agent"},
                              {"LOGNAME", "fmg-agent"},
                              {"TERM", "dumb"},
                              {"LANG", "C.UTF-8"},
                              {"TZ", "Europe/Paris"}});
}

TEST_CASE("step environment: --pass-env names come from the agent, when it has them",
          "[shell-executor]") {
    Environment base = shell_step_base_environment(
        kAgentEnvironment, {"HTTPS_PROXY", "PATH", "NOT_SET"}, {"/home/ci", ""});
    CHECK(base.at("HTTPS_PROXY") == "http://proxy:3128");
    CHECK(base.at("PATH") == "/home/op/bin:.:/usr/bin");
    CHECK(base.count("NOT_SET") == 0);
    CHECK(base.count("USER") == 0);  // no user name known: not invented
    CHECK(base.count("SSH_AUTH_SOCK") == 0);
}

TEST_CASE("step environment: the job's and the step's variables win over the base",
          "[shell-executor]") {
    Environment base = shell_step_base_environment(kAgentEnvironment, {}, {"/home/ci", "ci"});
    Environment merged =
        shell_step_environment(base, {{"PATH", "/opt/job/bin"}, {"A", "job"}, {"B", "job"}},
                               {{"B", "step"}, {"CI", "false"}});
    CHECK(merged.at("PATH") == "/opt/job/bin");
    CHECK(merged.at("A") == "job");
    CHECK(merged.at("B") == "step");
    CHECK(merged.at("CI") == "false");
    CHECK(merged.at("FMG") == "true");
    CHECK(merged.at("HOME") == "/home/ci");
    for (const auto& [name, value] : merged) {
        INFO(name << "=" << value);
        CHECK(value.find("secret") == std::string::npos);
        CHECK(value != "canary");
    }
}

TEST_CASE(
    "step environment: --pass-env names are variable names, never the agent's own settings or "
    "secrets",
    "[shell-executor]") {
    CHECK_FALSE(pass_env_name_problem("HTTPS_PROXY"));
    CHECK_FALSE(pass_env_name_problem("_private1"));
    CHECK(pass_env_name_problem(""));
    CHECK(pass_env_name_problem("1ABC"));
    CHECK(pass_env_name_problem("A-B"));
    CHECK(pass_env_name_problem("A=B"));
    CHECK_THAT(*pass_env_name_problem("FMG_GIT_TOKEN"), Catch::Contains("never reaches a step"));
    CHECK(pass_env_name_problem("CREDENTIALS_DIRECTORY"));
    CHECK(split_pass_env("A,,B,") == std::vector<std::string>{"A", "B"});
    CHECK(split_pass_env("").empty());
}
