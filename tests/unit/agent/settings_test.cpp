// fmg-agent's flags and environment (SPEC "fmg-agent").

#include "agent/setup/settings.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "tests/unit/agent/settings_parse.h"

using namespace fmg::agent;
using namespace fmg::agent::testing;

namespace {

std::string this_host() {
    char name[256] = {};
    REQUIRE(::gethostname(name, sizeof name - 1) == 0);
    return name;
}

}  // namespace

TEST_CASE("agent defaults are SPEC's") {
    AgentSettings s = parse_ok({});
    CHECK(s.coordinator.empty());  // taken from the credentials file
    CHECK(s.credentials == "/etc/fmg/agent.cred");
    CHECK(s.name == this_host());
    CHECK(s.work_dir == "/var/lib/fmg-agent");
    CHECK(s.capacity == 1);
    CHECK(s.labels.empty());
    CHECK(s.executor == "docker");
    CHECK(s.docker_socket == "/var/run/docker.sock");
    CHECK_FALSE(s.insecure);
}

TEST_CASE("DOCKER_HOST=unix://PATH sets the Docker socket and the flag wins over it") {
    CHECK(parse_ok({}, {{"DOCKER_HOST", "unix:///x/docker.sock"}}).docker_socket ==
          "/x/docker.sock");
    CHECK(parse_ok({"--docker-socket", "/run/user/1000/docker.sock"},
                   {{"DOCKER_HOST", "unix:///x/docker.sock"}})
              .docker_socket == "/run/user/1000/docker.sock");
}

TEST_CASE("a DOCKER_HOST fmg cannot use is an error, not a silent default") {
    // SPEC: bad values are a clear error with exit code 2, never a silent default. Quietly
    // using /var/run/docker.sock would run jobs on a different engine than the operator set.
    CHECK_THAT(usage_error({}, {{"DOCKER_HOST", "tcp://10.0.0.5:2375"}}),
               Catch::Contains("DOCKER_HOST"));
}

TEST_CASE("labels are a comma-separated list, from the flag or FMG_LABELS") {
    CHECK(parse_ok({"--labels", "a,b"}).labels == std::vector<std::string>{"a", "b"});
    CHECK(parse_ok({}, {{"FMG_LABELS", "linux,x86_64,docker"}}).labels ==
          std::vector<std::string>{"linux", "x86_64", "docker"});
    CHECK(parse_ok({"--labels", "gpu"}, {{"FMG_LABELS", "cpu"}}).labels ==
          std::vector<std::string>{"gpu"});
}

TEST_CASE("the executor is docker or shell, nothing else") {
    CHECK(parse_ok({"--executor", "shell"}).executor == "shell");
    CHECK(parse_ok({}, {{"FMG_EXECUTOR", "shell"}}).executor == "shell");
    CHECK_THAT(usage_error({"--executor", "podman"}), Catch::Contains("executor"));
    CHECK_THAT(usage_error({}, {{"FMG_EXECUTOR", "podman"}}), Catch::Contains("FMG_EXECUTOR"));
}

TEST_CASE("host-executor labels need the shell executor") {
    // machine, macos and windows draw jobs without an image, which docker cannot run.
    for (const char* label : {"machine", "macos", "windows"}) {
        INFO(label);
        auto problem = executor_labels_problem("docker", {"large", label});
        REQUIRE(problem);
        CHECK(problem->find("--executor shell") != std::string::npos);
        CHECK_FALSE(executor_labels_problem("shell", {"large", label}));
    }
    CHECK_FALSE(executor_labels_problem("docker", {"large", "machines", "gpu"}));
    CHECK_FALSE(executor_labels_problem("docker", {}));
}

TEST_CASE("bad agent values and unknown flags are usage errors") {
    CHECK_FALSE(usage_error({"--capacity", "0"}).empty());
    CHECK_FALSE(usage_error({"--capacity", "two"}).empty());
    CHECK_FALSE(usage_error({"--coordinator", "coordinator.example.com:5555"}).empty());
    CHECK_FALSE(usage_error({"--frobnicate"}).empty());
}

TEST_CASE("agent flags and environment are read") {
    AgentSettings s = parse_ok({"--coordinator", "tcp://ci.example.com:5555", "--name", "build-01",
                                "--capacity", "4", "--insecure"},
                               {{"FMG_CAPACITY", "2"}, {"FMG_RUNNER_NAME", "ignored"}});
    CHECK(s.coordinator == "tcp://ci.example.com:5555");
    CHECK(s.name == "build-01");
    CHECK(s.capacity == 4);
    CHECK(s.insecure);
    CHECK(parse_ok({}, {{"FMG_RUNNER_NAME", "build-02"}}).name == "build-02");
}

TEST_CASE("the work dir and credentials path are made absolute") {
    AgentSettings s = parse_ok({"--work-dir", "work/../fmg-work", "--credentials", "agent.cred"});
    CHECK(s.work_dir.is_absolute());
    CHECK(s.work_dir == (std::filesystem::current_path() / "fmg-work").lexically_normal());
    CHECK(s.credentials == (std::filesystem::current_path() / "agent.cred").lexically_normal());
}

TEST_CASE(
    "settings: --pass-env is repeatable, comma lists and FMG_PASS_ENV, and the agent's own names "
    "refused") {
    CHECK(parse_ok({}).pass_env.empty());
    CHECK(parse_ok({"--pass-env", "HTTPS_PROXY", "--pass-env=NO_PROXY,LD_LIBRARY_PATH"}).pass_env ==
          std::vector<std::string>{"HTTPS_PROXY", "NO_PROXY", "LD_LIBRARY_PATH"});
    CHECK(parse_ok({}, {{"FMG_PASS_ENV", "A,B"}}).pass_env == std::vector<std::string>{"A", "B"});
    CHECK(parse_ok({"--pass-env", "C"}, {{"FMG_PASS_ENV", "A,B"}}).pass_env ==
          std::vector<std::string>{"C"});
    CHECK_THAT(usage_error({"--pass-env", "FMG_GIT_TOKEN"}),
               Catch::Contains("never reaches a step"));
    CHECK_THAT(usage_error({"--pass-env", "A=B"}), Catch::Contains("not a variable name"));
    CHECK_THAT(usage_error({"--pass-env"}), Catch::Contains("needs a value"));
    CHECK_THAT(usage_error({}, {{"FMG_PASS_ENV", "CREDENTIALS_DIRECTORY"}}),
               Catch::Contains("FMG_PASS_ENV"));
}
