// A config that does not parse makes a pipeline in state `error` whose `error` points at the
// offending line and column, and GitHub gets an `error` status saying so.

#include <catch2/catch.hpp>
#include <regex>

#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

// The workflow runs a job that is not defined: line 12, column 9 is the name `deploy`.
const std::string kBrokenConfig = R"(version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run: echo hi
workflows:
  main:
    jobs:
      - build
      - deploy
)";

const std::string kPosition = ".circleci/config.yml:12:9: ";

}  // namespace

TEST_CASE("e2e: a broken config makes an error pipeline with the position of the problem") {
    Cluster cluster;
    GitRepo repo = cluster.make_repo();
    repo.write_config(kBrokenConfig);
    const std::string sha = repo.commit("Run a job that does not exist");

    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id, std::chrono::seconds(30));
    INFO("pipeline: " << to_json(pipeline));
    CHECK(string_field(pipeline, "status") == "error");
    const auto error = optional_string(pipeline, "error");
    REQUIRE(error);
    CHECK_THAT(*error, Catch::StartsWith(kPosition));
    CHECK_THAT(*error, Catch::Contains("deploy"));

    // GitHub hears about it too, with the message (cut to GitHub's 140 characters).
    cluster.wait_until(
        deadline_after(std::chrono::seconds(30)),
        [&] {
            for (const auto& posted : cluster.github().statuses()) {
                if (posted.sha() == sha && posted.state == "error") return true;
            }
            return false;
        },
        "an `error` status for " + sha);
    for (const auto& posted : cluster.github().statuses()) {
        if (posted.state != "error") continue;
        CHECK_THAT(posted.context, Catch::StartsWith("fmg"));
        CHECK_THAT(posted.description, Catch::Contains("config.yml:12:9"));
        CHECK(posted.authorization == "Bearer " + cluster.options().github_token);
    }
    CHECK(cluster.github().rejected().empty());

    // `fmg validate` finds the same problem offline.
    const std::string file = (repo.path() / ".circleci" / "config.yml").string();
    const CommandResult validated = cluster.fmg({"validate", file});
    INFO(validated.describe({"fmg", "validate", file}));
    CHECK(validated.status.exited_with(1));
    CHECK_THAT(validated.out + validated.err, Catch::Contains("config.yml:12:9: "));
}
