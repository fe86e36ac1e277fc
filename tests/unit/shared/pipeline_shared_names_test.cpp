// Two workflows may each run a job of one name, as on CircleCI (names are unique within a
// workflow). When both run in one pipeline, fmg names them `WORKFLOW:NAME`; a pipeline that
// runs one of them keeps the plain name. CIRCLE_JOB stays the workflow's name.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/unit/shared/pipeline_test_helpers.h"

using namespace fmg::pipeline;
using namespace fmg::pipeline::testing;

namespace {

constexpr std::string_view kTwoWorkflows = R"(version: 2
jobs:
  setup: {docker: [{image: alpine}], steps: [checkout]}
  test: {docker: [{image: alpine}], steps: [checkout]}
  fuzz: {docker: [{image: alpine}], steps: [checkout]}
workflows:
  ci:
    jobs:
      - setup
      - test: {requires: [setup]}
  nightly:
    triggers:
      - schedule: {cron: "0 3 * * *", filters: {branches: {only: main}}}
    jobs:
      - setup
      - fuzz: {requires: [{setup: [success, failed]}]}
)";

}  // namespace

TEST_CASE("a job name in two workflows that run together is qualified by workflow") {
    const Config config = parse_ok(kTwoWorkflows);  // no ref: every workflow
    CHECK(job_names(config) ==
          std::vector<std::string>{"ci:setup", "test", "nightly:setup", "fuzz"});
    const Job& test = config.jobs[1];
    CHECK(test.required_jobs == std::vector<std::string>{"ci:setup"});
    const Job& fuzz = config.jobs[3];
    CHECK(fuzz.required_jobs == std::vector<std::string>{"nightly:setup"});
    CHECK(fuzz.required_statuses.at("nightly:setup") ==
          std::vector<std::string>{"failed", "success"});
    CHECK(config.jobs[0].name_in_workflow == "setup");
    CHECK(config.jobs[2].name_in_workflow == "setup");
    CHECK(test.name_in_workflow == "test");
}

TEST_CASE("a pipeline that runs one of the workflows keeps the plain name") {
    RefContext push;
    push.branch = "main";
    CHECK(job_names(parse_ok(kTwoWorkflows, push)) == std::vector<std::string>{"setup", "test"});
    RefContext scheduled = push;
    scheduled.scheduled_workflow = "nightly";
    const Config nightly = parse_ok(kTwoWorkflows, scheduled);
    CHECK(job_names(nightly) == std::vector<std::string>{"setup", "fuzz"});
    CHECK(nightly.jobs[1].required_jobs == std::vector<std::string>{"setup"});
}

TEST_CASE("a qualified name that is another job's, or too long, is refused") {
    const ParseError taken = parse_error(R"(version: 2
jobs:
  setup: {docker: [{image: alpine}], steps: [checkout]}
workflows:
  ci:
    jobs:
      - setup
      - setup: {name: "nightly:setup"}
  nightly:
    jobs: [setup]
)");
    INFO(taken.to_string());
    CHECK(taken.line == 10);
    CHECK_THAT(taken.message, Catch::Contains("`nightly:setup`, is another job's"));
    const std::string workflow(130, 'w');
    const ParseError long_name = parse_error(R"(version: 2
jobs:
  setup: {docker: [{image: alpine}], steps: [checkout]}
workflows:
  ci:
    jobs: [setup]
  )" + workflow + R"(:
    jobs: [setup]
)");
    CHECK_THAT(long_name.message, Catch::Contains("is longer than 128 bytes"));
}

TEST_CASE("2.1: the same job name with other parameters in two workflows keeps each its own") {
    const Config config = parse_ok(R"(version: 2.1
jobs:
  build:
    parameters:
      target: {type: string}
    docker: [{image: alpine}]
    steps:
      - run: make << parameters.target >>
workflows:
  ci:
    jobs:
      - build: {target: debug}
  release:
    jobs:
      - build: {target: release}
)");
    REQUIRE(config.jobs.size() == 2);
    CHECK(config.jobs[0].name == "ci:build");
    CHECK(config.jobs[0].steps.at(0).command == "make debug");
    CHECK(config.jobs[1].name == "release:build");
    CHECK(config.jobs[1].name_in_workflow == "build");
    CHECK(config.jobs[1].steps.at(0).command == "make release");
}
