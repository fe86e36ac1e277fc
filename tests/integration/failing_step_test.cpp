// A step that exits non-zero fails its job and the pipeline; the steps after it never run,
// and GitHub is told `failure`.

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/docker.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

const std::string kConfig = R"(version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run:
          name: Before
          command: echo "before the failure"
      - run:
          name: Fail
          command: echo "about to fail" >&2; exit 7
      - run:
          name: Never
          command: echo "this must not run"
)";

}  // namespace

TEST_CASE("e2e: a failing step fails the job and the pipeline, and stops the steps after it") {
    require_docker();
    Cluster cluster;
    cluster.start_runner("runner-1");

    GitRepo repo = cluster.make_repo();
    repo.write_config(kConfig);
    const std::string sha = repo.commit("Add a failing step");

    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    CHECK(string_field(pipeline, "status") == "failed");
    CHECK(string_array(pipeline, "failed_jobs") == std::vector<std::string>{"build"});

    const auto job = find_named(pipeline, "jobs", "build");
    CHECK(string_field(job, "status") == "failed");
    const auto before = find_named(job, "steps", "Before");
    CHECK(string_field(before, "status") == "success");
    CHECK(optional_int(before, "exit_code") == 0);
    const auto failed = find_named(job, "steps", "Fail");
    CHECK(string_field(failed, "status") == "failed");
    CHECK(optional_int(failed, "exit_code") == 7);
    const auto never = find_named(job, "steps", "Never");
    CHECK(string_field(never, "status") != "success");
    CHECK(string_field(never, "status") != "failed");
    CHECK_FALSE(optional_int(never, "exit_code"));
    const auto attempts = object_array(job, "attempts");
    REQUIRE(attempts.size() == 1);  // a failed step is not retried: only lost agents are
    CHECK(string_field(attempts[0], "status") == "failed");

    const CommandResult log = cluster.fmg({"logs", std::to_string(id), "build"});
    INFO(log.describe({"fmg", "logs", std::to_string(id), "build"}));
    CHECK_THAT(log.out, Catch::Contains("before the failure"));
    CHECK_THAT(log.out, Catch::Contains("about to fail"));  // stderr is in the log too
    CHECK_THAT(log.out, !Catch::Contains("this must not run"));

    cluster.wait_for_github_status("fmg/build", sha, "failure");
    const auto statuses = cluster.github().statuses_for("fmg/build");
    CHECK(statuses.front().state == "pending");
    CHECK(statuses.back().state == "failure");
    CHECK(cluster.github().rejected().empty());
}
