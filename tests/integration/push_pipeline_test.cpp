// The whole path, as a user sees it: a signed push webhook makes a pipeline, an agent clones
// the commit and runs its steps (in Docker, or as host processes), the CLI shows the pipeline
// and its log, and GitHub gets `pending` then `success`.

#include <catch2/catch.hpp>
#include <regex>

#include "tests/support/cluster.h"
#include "tests/support/docker.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

const std::string kReadme = "fmg integration readme 7f3a9c\n";

const std::string kConfig = R"(version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    environment:
      GREETING: hello-from-the-job-environment
    steps:
      - checkout
      - run:
          name: Greet
          command: echo "greeting=$GREETING"
      - run:
          name: Show the checkout
          command: cat README.md
      - run: echo "last step done"
)";

const std::regex kApiTime(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$)");

// A finished pipeline, job or attempt carries RFC 3339 UTC times with milliseconds.
void check_finished_times(const Poco::JSON::Object::Ptr& object) {
    INFO(to_json(object));
    const std::string started = string_field(object, "started_at");
    const std::string finished = string_field(object, "finished_at");
    CHECK(std::regex_match(started, kApiTime));
    CHECK(std::regex_match(finished, kApiTime));
    CHECK(started <= finished);  // same fixed-width format: text order is time order
}

void check_push_runs_to_success(const std::string& executor) {
    Cluster cluster;
    AgentOptions agent;
    agent.executor = executor;
    cluster.start_runner("runner-1", agent);

    GitRepo repo = cluster.make_repo();
    repo.write_file("README.md", kReadme);
    repo.write_config(kConfig);
    const std::string sha = repo.commit("Add CI config");

    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");
    CHECK(int_field(pipeline, "id") == id);
    CHECK(string_field(pipeline, "repo") == "octo/demo");
    CHECK(string_field(pipeline, "repo_url") == repo.url());
    CHECK(string_field(pipeline, "sha") == sha);
    CHECK(string_field(pipeline, "trigger") == "push");
    CHECK(string_array(pipeline, "failed_jobs").empty());
    CHECK_FALSE(optional_string(pipeline, "error"));
    CHECK(std::regex_match(string_field(pipeline, "created_at"), kApiTime));
    check_finished_times(pipeline);

    const auto job = find_named(pipeline, "jobs", "build");
    CHECK(string_field(job, "status") == "success");
    check_finished_times(job);
    const auto steps = object_array(job, "steps");
    REQUIRE(steps.size() >= 3);  // the three run steps (and checkout, where it is listed)
    for (const auto& step : steps) {
        INFO("step: " << to_json(step));
        CHECK(string_field(step, "status") == "success");
    }
    // A run step without a name is named for its command.
    for (const auto* name : {"Greet", "Show the checkout", "echo \"last step done\""}) {
        CHECK(optional_int(find_named(job, "steps", name), "exit_code") == 0);
    }
    const auto attempts = object_array(job, "attempts");
    REQUIRE(attempts.size() == 1);
    CHECK(int_field(attempts[0], "number") == 1);
    CHECK(string_field(attempts[0], "runner") == "runner-1");
    CHECK(string_field(attempts[0], "status") == "success");
    check_finished_times(attempts[0]);

    // The log, through the CLI (one job: JOB may be left out).
    const CommandResult log = cluster.fmg({"logs", std::to_string(id)});
    INFO(log.describe({"fmg", "logs", std::to_string(id)}));
    CHECK(log.ok());
    CHECK_THAT(log.out, Catch::Contains("greeting=hello-from-the-job-environment"));
    CHECK_THAT(log.out, Catch::Contains(kReadme));
    CHECK_THAT(log.out, Catch::Contains("last step done"));

    // GitHub saw the job go from pending to success, with the token, for this commit.
    cluster.wait_for_github_status("fmg/build", sha, "success");
    const auto statuses = cluster.github().statuses_for("fmg/build");
    REQUIRE(statuses.size() >= 2);
    CHECK(statuses.front().state == "pending");
    CHECK(statuses.back().state == "success");
    for (const auto& posted : statuses) {
        CHECK(posted.repo() == "octo/demo");
        CHECK(posted.sha() == sha);
        CHECK(posted.authorization == "Bearer " + cluster.options().github_token);
        CHECK_THAT(posted.target_url, Catch::StartsWith(cluster.server_url()));
        CHECK_FALSE(posted.description.empty());
    }
    CHECK(cluster.github().rejected().empty());

    // `fmg list` in the SPEC's format: #ID [repo @ sha7 on branch] status: ... (times).
    const CommandResult list = cluster.fmg({"list"});
    INFO(list.describe({"fmg", "list"}));
    REQUIRE(list.ok());
    const std::string time = R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z)";
    const std::regex line("^#" + std::to_string(id) + R"( \[octo/demo @ )" + sha.substr(0, 7) +
                          R"( on main\] status: SUCCESS \(started )" + time + " finished " + time +
                          R"(\)$)");
    const std::string first_line = list.out.substr(0, list.out.find('\n'));
    CHECK(std::regex_match(first_line, line));

    cluster.stop_gracefully();
}

}  // namespace

TEST_CASE("e2e: a signed push runs to success in Docker, with log, statuses and listing") {
    require_docker();
    check_push_runs_to_success("docker");
}

TEST_CASE("e2e: a signed push runs to success with the shell executor") {
    check_push_runs_to_success("shell");
}
