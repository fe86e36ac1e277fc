// Runner labels route jobs: a job's `resource_class` and `machine` are labels its runner must
// carry. A job no online runner can take stays queued and says why (API and `fmg show`) until
// such a runner joins; a `machine` job runs on the host of a shell-executor runner labelled
// `machine`, and an agent with the docker executor refuses that label.

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

constexpr std::chrono::seconds kAgentExitTimeout{10};

AgentOptions shell_runner_labelled(const std::string& labels) {
    AgentOptions options = shell_agent_options();
    if (!labels.empty()) options.runner_args = {"--labels", labels};
    return options;
}

}  // namespace

TEST_CASE("e2e: a resource_class job waits, saying why, until a runner with its label joins") {
    Cluster cluster;
    cluster.start_runner("small-1", shell_runner_labelled(""));
    GitRepo repo = cluster.make_repo();
    repo.write_config(R"(version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    resource_class: large
    steps:
      - run: echo "ran where it was meant to"
)");
    const int64_t id = cluster.push(repo, repo.commit("A job for large runners"));

    // Prepared and queued, with the reason in the job object; the only runner stays idle.
    const auto waiting = cluster.wait_for_pipeline(
        id,
        [](const Poco::JSON::Object::Ptr& pipeline) {
            const auto jobs = object_array(pipeline, "jobs");
            return !jobs.empty() && optional_string(jobs.front(), "waiting_reason").has_value();
        },
        "job build to say why it waits");
    const auto job = find_named(waiting, "jobs", "build");
    INFO(to_json(waiting));
    CHECK(string_field(job, "status") == "queued");
    CHECK(string_field(job, "waiting_reason") == "no online runner has the label large");
    CHECK(string_array(job, "labels") == std::vector<std::string>{"large"});
    CHECK(object_array(job, "attempts").empty());
    CHECK(string_field(waiting, "status") == "queued");

    const CommandResult show = cluster.fmg({"show", std::to_string(id)});
    INFO(show.out << show.err);
    CHECK(show.ok());
    CHECK_THAT(show.out, Catch::Contains("job build: QUEUED: no online runner has the label "
                                         "large, on runners labelled large"));

    // A runner labelled large joins: the job runs there, and the reason is gone.
    cluster.start_runner("large-1", shell_runner_labelled("large,arm64"));
    const auto done = cluster.wait_for_final(id);
    INFO(to_json(done));
    CHECK(string_field(done, "status") == "success");
    const auto ran = find_named(done, "jobs", "build");
    CHECK_FALSE(optional_string(ran, "waiting_reason").has_value());
    const auto attempts = object_array(ran, "attempts");
    REQUIRE(attempts.size() == 1);
    CHECK(string_field(attempts.front(), "runner") == "large-1");
    const CommandResult log = cluster.fmg({"logs", std::to_string(id), "build"});
    CHECK_THAT(log.out, Catch::Contains("ran where it was meant to"));
}

TEST_CASE("e2e: a machine job runs on the host of a shell runner labelled machine") {
    Cluster cluster;
    // A docker-executor agent refuses the label at start: it would fail every machine job.
    AgentOptions docker_machine;
    docker_machine.executor = "docker";
    const auto credentials = cluster.add_runner("docker-machine-1", {"--labels", "machine"});
    Process& refused = cluster.start_agent("docker-machine-1", credentials, docker_machine);
    const auto ended = refused.wait_for(deadline_after(kAgentExitTimeout));
    INFO(tail_files(cluster.log_files()));
    REQUIRE(ended);
    CHECK(ended->exited_with(2));
    CHECK_THAT(refused.stderr_text(), Catch::Contains("--executor shell"));

    cluster.start_runner("plain-1", shell_runner_labelled(""));
    cluster.start_runner("machine-1", shell_runner_labelled("machine"));
    GitRepo repo = cluster.make_repo();
    repo.write_config(R"yaml(version: 2.1
jobs:
  build:
    machine:
      image: ubuntu-2204:current
    steps:
      - checkout
      - run: echo "on the host as $(id -un), README=$(cat README.md)"
)yaml");
    repo.write_file("README.md", "machine-readme-7\n");
    const int64_t id = cluster.push(repo, repo.commit("A machine job"));

    const auto done = cluster.wait_for_final(id);
    INFO(to_json(done));
    CHECK(string_field(done, "status") == "success");
    const auto job = find_named(done, "jobs", "build");
    CHECK(string_array(job, "labels") == std::vector<std::string>{"machine"});
    const auto attempts = object_array(job, "attempts");
    REQUIRE(attempts.size() == 1);
    CHECK(string_field(attempts.front(), "runner") == "machine-1");
    const CommandResult log = cluster.fmg({"logs", std::to_string(id), "build"});
    CHECK_THAT(log.out, Catch::Contains("on the host as "));
    CHECK_THAT(log.out, Catch::Contains("README=machine-readme-7"));
}
