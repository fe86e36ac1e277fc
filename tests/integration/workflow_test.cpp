// A workflow job that `requires` another waits, blocked, until that one has finished, even
// on a runner with room for both.

#include <catch2/catch.hpp>
#include <fstream>

#include "shared/time_format.h"
#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

// `build` holds until the test creates FLAG, then leaves MARKER; `test` needs MARKER.
std::string workflow_config(const std::filesystem::path& flag,
                            const std::filesystem::path& marker) {
    return R"(version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run:
          name: Build
          command: |
            echo "build started"
            while [ ! -f )" +
           flag.string() + R"( ]; do sleep 0.1; done
            echo built > )" +
           marker.string() + R"(
  test:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run:
          name: Test
          command: test -f )" +
           marker.string() + R"( && echo "found the build's output"
workflows:
  main:
    jobs:
      - build
      - test:
          requires:
            - build
)";
}

int64_t time_field(const Poco::JSON::Object::Ptr& object, const std::string& key) {
    const std::string text = string_field(object, key);
    const auto parsed = fmg::parse_rfc3339_ms(text);
    if (!parsed) FAIL(key << " is not an RFC 3339 time: " << text);
    return *parsed;
}

}  // namespace

TEST_CASE("e2e: a job that requires another runs after it, never beside it") {
    Cluster cluster;
    // the steps reach files the test controls
    AgentOptions agent = shell_agent_options();
    agent.extra_args = {"--capacity", "2"};
    agent.runner_args = {"--capacity", "2"};
    cluster.start_runner("runner-1", agent);

    const auto flag = cluster.dir() / "build-may-finish";
    const auto marker = cluster.dir() / "build-output";
    GitRepo repo = cluster.make_repo();
    repo.write_config(workflow_config(flag, marker));
    const std::string sha = repo.commit("Build, then test");

    const int64_t id = cluster.push(repo, sha);
    const auto running = cluster.wait_for_job_status(id, "build", "running");
    INFO("while build runs: " << to_json(running));
    const auto waiting = find_named(running, "jobs", "test");
    CHECK(string_field(waiting, "status") == "blocked");
    CHECK(string_array(waiting, "requires") == std::vector<std::string>{"build"});
    CHECK_FALSE(optional_string(waiting, "started_at"));

    std::ofstream(flag) << "go\n";
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");
    const auto build = find_named(pipeline, "jobs", "build");
    const auto test = find_named(pipeline, "jobs", "test");
    CHECK(string_field(build, "status") == "success");
    CHECK(string_field(test, "status") == "success");
    CHECK(time_field(test, "started_at") >= time_field(build, "finished_at"));

    const CommandResult log = cluster.fmg({"logs", std::to_string(id), "test"});
    INFO(log.describe({"fmg", "logs", std::to_string(id), "test"}));
    CHECK_THAT(log.out, Catch::Contains("found the build's output"));

    cluster.wait_for_github_status("fmg/test", sha, "success");
    CHECK(cluster.github().statuses_for("fmg/build").back().state == "success");
}
