// A 2.1 config as projects write them, run through the real binaries: an executor with a
// parameter, a command with parameters, a job with parameters spread by a matrix, pipeline
// values and a pipeline parameter's default, a checkout into a path. The matrix's two jobs
// must meet, each waiting for the other's file, so they pass only when two agents run them at
// once.

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

std::string reuse_config(const std::filesystem::path& meeting_dir) {
    const std::string dir = meeting_dir.string();
    return R"(version: 2.1
parameters:
  greeting: {type: string, default: hello}
executors:
  box:
    parameters:
      tag: {type: string, default: latest}
    docker:
      - image: fmg/busybox:<< parameters.tag >>
    environment:
      FROM_EXECUTOR: box
commands:
  meet:
    parameters:
      me: {type: string}
      other: {type: string}
    steps:
      - run:
          name: Meet << parameters.other >>
          command: |
            touch )" +
           dir + R"(/<< parameters.me >>
            i=0
            while [ ! -f )" +
           dir + R"(/<< parameters.other >> ]; do
              i=$((i+1)); [ $i -lt 600 ] || { echo "<< parameters.other >> never came"; exit 1; }
              sleep 0.1
            done
            echo "met << parameters.other >>"
jobs:
  test:
    executor: box
    parameters:
      side: {type: enum, enum: [left, right]}
      other: {type: string}
    steps:
      - checkout: {path: src}
      - meet: {me: << parameters.side >>, other: << parameters.other >>}
      - run: echo "<< pipeline.parameters.greeting >> from << parameters.side >> of pipeline << pipeline.number >> on << pipeline.git.branch >> at << pipeline.git.revision >> by << pipeline.trigger_source >> via $FROM_EXECUTOR"
      - run: test -f src/.circleci/config.yml && echo "checked out into src"
workflows:
  ci:
    jobs:
      - test:
          matrix:
            parameters:
              side: [left, right]
              other: [left, right]
            exclude:
              - {side: left, other: left}
              - {side: right, other: right}
)";
}

std::string runner_of(const Poco::JSON::Object::Ptr& pipeline, const std::string& job) {
    const auto attempts = object_array(find_named(pipeline, "jobs", job), "attempts");
    REQUIRE(attempts.size() == 1);
    return string_field(attempts.front(), "runner");
}

}  // namespace

TEST_CASE("e2e: a 2.1 config with an executor, a command and a matrix runs on two agents") {
    Cluster cluster;
    // Shell agents: the steps meet through files in the test's directory.
    cluster.start_runner("runner-1", shell_agent_options());
    cluster.start_runner("runner-2", shell_agent_options());

    const auto meeting = cluster.dir() / "meeting";
    std::filesystem::create_directories(meeting);
    GitRepo repo = cluster.make_repo();
    repo.write_config(reuse_config(meeting));
    const std::string sha = repo.commit("Reusable config");

    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");

    // CircleCI's names: the values in the order of the parameters' names (other, side).
    std::vector<std::string> names;
    for (const auto& job : object_array(pipeline, "jobs"))
        names.push_back(string_field(job, "name"));
    CHECK(names == std::vector<std::string>{"test-right-left", "test-left-right"});
    CHECK(runner_of(pipeline, "test-right-left") != runner_of(pipeline, "test-left-right"));

    const CommandResult log = cluster.fmg({"logs", std::to_string(id), "test-right-left"});
    INFO(log.describe({"fmg", "logs", std::to_string(id), "test-right-left"}));
    CHECK_THAT(log.out, Catch::Contains("met right"));
    CHECK_THAT(log.out, Catch::Contains("hello from left of pipeline " + std::to_string(id) +
                                        " on main at " + sha + " by webhook via box"));
    CHECK_THAT(log.out, Catch::Contains("checked out into src"));
}

TEST_CASE("e2e: a 2.1 config with an unknown reference fails its pipeline, naming the place") {
    Cluster cluster;
    GitRepo repo = cluster.make_repo();
    repo.write_config(R"(version: 2.1
jobs:
  build:
    docker: [{image: fmg/busybox:latest}]
    steps:
      - run: echo << pipeline.git.brnch >>
)");
    const std::string sha = repo.commit("Typo in a pipeline value");
    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id);
    CHECK(string_field(pipeline, "status") == "error");
    CHECK_THAT(string_field(pipeline, "error"),
               Catch::Contains(".circleci/config.yml:6:14: unknown reference "
                               "`<< pipeline.git.brnch >>`"));
}
