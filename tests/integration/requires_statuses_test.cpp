// `requires` status qualifiers through the real binaries: after a failing test job, a report
// job that accepts `[success, failed]` runs, a deploy that needs success is skipped, and the
// pipeline still fails; `fmg show` and the API say what the report required.

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

TEST_CASE(
    "e2e: a job accepting success or failure runs after a failure and one needing success is "
    "skipped") {
    Cluster cluster;
    cluster.start_runner("runner-1", shell_agent_options());
    GitRepo repo = cluster.make_repo();
    repo.write_config(R"(version: 2.1
jobs:
  test:
    docker: [{image: fmg/busybox:latest}]
    steps:
      - run: echo "2 tests failed" > result.txt; exit 1
  report:
    docker: [{image: fmg/busybox:latest}]
    steps:
      - run: echo "reporting after test"
  deploy:
    docker: [{image: fmg/busybox:latest}]
    steps:
      - run: echo "deploying"
workflows:
  ci:
    jobs:
      - test
      - report:
          requires:
            - test: [success, failed]
      - deploy:
          requires: [test]
)");
    const std::string sha = repo.commit("Report after tests");
    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    CHECK(string_field(pipeline, "status") == "failed");
    CHECK(string_field(find_named(pipeline, "jobs", "test"), "status") == "failed");
    const auto report = find_named(pipeline, "jobs", "report");
    CHECK(string_field(report, "status") == "success");
    CHECK(string_field(find_named(pipeline, "jobs", "deploy"), "status") == "skipped");
    const auto qualified = object_array(report, "requires_statuses");
    REQUIRE(qualified.size() == 1);
    CHECK(to_json(qualified.front()) == R"({"jobs":["test"],"statuses":["failed","success"]})");

    const CommandResult log = cluster.fmg({"logs", std::to_string(id), "report"});
    INFO(log.describe({"fmg", "logs", std::to_string(id), "report"}));
    CHECK_THAT(log.out, Catch::Contains("reporting after test"));
}

TEST_CASE(
    "e2e: two workflows with a job of one name run both, named by workflow, CIRCLE_JOB as "
    "written") {
    Cluster cluster;
    cluster.start_runner("runner-1", shell_agent_options());
    GitRepo repo = cluster.make_repo();
    repo.write_config(R"(version: 2.1
jobs:
  build:
    parameters:
      target: {type: string}
    docker: [{image: fmg/busybox:latest}]
    steps:
      - run: echo "building << parameters.target >> as $CIRCLE_JOB"
workflows:
  debug:
    jobs:
      - build: {target: debug}
  release:
    jobs:
      - build: {target: release}
)");
    const std::string sha = repo.commit("Two workflows build");
    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");
    std::vector<std::string> names;
    for (const auto& job : object_array(pipeline, "jobs"))
        names.push_back(string_field(job, "name"));
    CHECK(names == std::vector<std::string>{"debug:build", "release:build"});
    for (const char* target : {"debug", "release"}) {
        const std::string job = std::string(target) + ":build";
        const CommandResult log = cluster.fmg({"logs", std::to_string(id), job});
        INFO(log.describe({"fmg", "logs", std::to_string(id), job}));
        CHECK_THAT(log.out, Catch::Contains(std::string("building ") + target + " as build"));
    }
}
