// The environment every step sees (docs/executors.md, "What every step gets"), through the
// real binaries: CircleCI's built-in variables (CI, CIRCLECI, CIRCLE_*) and fmg's ids for a
// signed push in Docker and for a pull request; and pipeline parameters given with
// `fmg trigger --param`, read by a 2.1 config's `<< pipeline.parameters.x >>`, an undeclared
// one making an `error` pipeline with the parser's message.

#include <catch2/catch.hpp>
#include <map>
#include <sstream>

#include "tests/support/cluster.h"
#include "tests/support/docker.h"
#include "tests/support/git_daemon.h"
#include "tests/support/json.h"
#include "tests/support/webhook.h"

using namespace fmg::testing;

namespace {

// Prints the built-in variables, one `env: NAME=value` line each, sorted. `test` sets
// CIRCLE_NODE_TOTAL itself: a job's `environment` wins over the built-in variables.
const std::string kConfig = R"(version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run:
          name: Print the environment
          command: |
            env | grep -E '^(CI|CIRCLECI|CIRCLE_[A-Z0-9_]+|FMG_[A-Z]+_ID)=' | sort |
              sed 's/^/env: /'
  test:
    docker:
      - image: fmg/busybox:latest
    working_directory: ~/app
    environment:
      CIRCLE_NODE_TOTAL: "3"
    steps:
      - run: |
          env | grep -E '^CIRCLE_' | sort | sed 's/^/env: /'
workflows:
  ci:
    jobs:
      - build
      - test:
          requires: [build]
)";

/// The `env: NAME=value` lines of a job's log, as a map.
std::map<std::string, std::string> printed_environment(const Cluster& cluster, int64_t id,
                                                       const std::string& job) {
    const CommandResult log = cluster.fmg({"logs", std::to_string(id), job});
    INFO(log.describe({"fmg", "logs", std::to_string(id), job}));
    REQUIRE(log.ok());
    std::map<std::string, std::string> env;
    std::istringstream lines(log.out);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("env: ", 0) != 0) continue;
        const auto equals = line.find('=');
        env[line.substr(5, equals - 5)] = line.substr(equals + 1);
    }
    return env;
}

std::string describe(const std::map<std::string, std::string>& env) {
    std::string text;
    for (const auto& [name, value] : env) text += name + "=" + value + "\n";
    return text;
}

/// The id of the job's first attempt, as the API shows it.
int64_t first_attempt_id(const Poco::JSON::Object::Ptr& pipeline, const std::string& job) {
    const auto attempts = array_field(find_named(pipeline, "jobs", job), "attempts");
    REQUIRE(attempts->size() >= 1);
    return int_field(attempts->getObject(0), "id");
}

}  // namespace

TEST_CASE("e2e: a signed push's steps see CircleCI's built-in variables (Docker)") {
    require_docker();
    Cluster cluster;
    cluster.start_runner("runner-1");
    GitRepo repo = cluster.make_repo();
    repo.write_config(kConfig);
    const std::string sha = repo.commit("Print the environment");

    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");
    CHECK(pipeline->isNull("pr_number"));

    const auto build = printed_environment(cluster, id, "build");
    INFO("build saw: " << describe(build));
    CHECK(build.at("CI") == "true");
    CHECK(build.at("CIRCLECI") == "true");
    CHECK(build.at("CIRCLE_BRANCH") == "main");
    CHECK(build.count("CIRCLE_TAG") == 0);
    CHECK(build.at("CIRCLE_SHA1") == sha);
    CHECK(build.at("CIRCLE_JOB") == "build");
    CHECK(build.at("CIRCLE_PROJECT_USERNAME") == "octo");
    CHECK(build.at("CIRCLE_PROJECT_REPONAME") == "demo");
    CHECK(build.at("CIRCLE_REPOSITORY_URL") == repo.url());
    CHECK(build.at("CIRCLE_WORKING_DIRECTORY") == "~/project");
    CHECK(build.at("CIRCLE_PIPELINE_ID") == std::to_string(id));
    CHECK(build.at("CIRCLE_BUILD_NUM") == std::to_string(first_attempt_id(pipeline, "build")));
    CHECK(build.at("CIRCLE_NODE_INDEX") == "0");
    CHECK(build.at("CIRCLE_NODE_TOTAL") == "1");
    CHECK(build.count("CIRCLE_PR_NUMBER") == 0);
    CHECK(build.count("CIRCLE_PULL_REQUEST") == 0);
    CHECK(build.at("CIRCLE_WORKFLOW_ID").size() == 36);
    CHECK(build.at("FMG_PIPELINE_ID") == std::to_string(id));
    CHECK(build.at("FMG_ATTEMPT_ID") == build.at("CIRCLE_BUILD_NUM"));
    CHECK_FALSE(build.at("FMG_JOB_ID").empty());

    // The next job of the workflow: the same workflow id, its own name and directory, and
    // its own `environment` over the built-in value.
    const auto test = printed_environment(cluster, id, "test");
    CHECK(test.at("CIRCLE_JOB") == "test");
    CHECK(test.at("CIRCLE_WORKFLOW_ID") == build.at("CIRCLE_WORKFLOW_ID"));
    CHECK(test.at("CIRCLE_WORKING_DIRECTORY") == "~/app");
    CHECK(test.at("CIRCLE_NODE_TOTAL") == "3");
    CHECK(test.at("CIRCLE_BUILD_NUM") == std::to_string(first_attempt_id(pipeline, "test")));
}

TEST_CASE("e2e: a pull request's steps see CIRCLE_PR_NUMBER and CIRCLE_PULL_REQUEST") {
    Cluster cluster;
    cluster.start_runner("runner-1", shell_agent_options());
    GitRepo repo = cluster.make_repo();
    repo.write_config(kConfig);
    repo.commit("Print the environment");
    repo.create_branch("login-page");
    repo.write_file("README.md", "a change\n");
    const std::string sha = repo.commit("A change on a branch");

    PullRequestEvent event;
    event.number = 42;
    event.base_clone_url = repo.url();
    event.head_clone_url = repo.url();
    event.head_ref = "login-page";
    event.head_sha = sha;
    const HttpResponse response =
        cluster.deliver("pull_request", pull_request_payload(event), new_delivery_id());
    INFO(response.describe());
    REQUIRE(response.status == 202);
    const int64_t id = int_field(response.json(), "pipeline_id");

    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");
    CHECK(int_field(pipeline, "pr_number") == 42);

    const auto build = printed_environment(cluster, id, "build");
    CHECK(build.at("CIRCLE_PR_NUMBER") == "42");
    CHECK(build.at("CIRCLE_PULL_REQUEST") == "https://github.com/octo/demo/pull/42");
    CHECK(build.at("CIRCLE_BRANCH") == "login-page");
    CHECK(build.at("CIRCLE_SHA1") == sha);
}

TEST_CASE("e2e: fmg trigger --param gives a 2.1 config its pipeline parameters") {
    Cluster cluster;
    cluster.start_runner("runner-1", shell_agent_options());
    GitDaemon daemon(cluster.dir() / "served", cluster.dir() / "logs");
    GitRepo repo = cluster.make_repo();
    repo.write_config(R"(version: 2.1
parameters:
  greeting:
    type: string
    default: hello
  loud:
    type: boolean
    default: false
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run: echo "greeting=<< pipeline.parameters.greeting >>"
      - when:
          condition: << pipeline.parameters.loud >>
          steps:
            - run: echo "LOUDLY"
workflows:
  main:
    jobs: [build]
)");
    repo.commit("Parameters");
    const std::string url = daemon.serve(repo, "octo/demo");

    const std::vector<std::string> trigger = {
        "trigger", "--repo",    url,     "--ref", "main", "--param", "greeting=hi, there=you",
        "--param", "loud=true", "--wait"};
    const CommandResult ran = cluster.fmg(trigger);
    INFO(ran.describe(trigger) << "\n" << tail_files(cluster.log_files()));
    REQUIRE(ran.ok());
    const auto pipelines = cluster.api().get("/api/v1/pipelines?limit=1").json();
    const auto pipeline = array_field(pipelines, "data")->getObject(0);
    const int64_t id = int_field(pipeline, "id");
    const auto parameters = pipeline->getObject("parameters");
    REQUIRE(parameters);
    CHECK(parameters->getValue<std::string>("greeting") == "hi, there=you");
    CHECK(parameters->getValue<std::string>("loud") == "true");
    const CommandResult log = cluster.fmg({"logs", std::to_string(id), "build"});
    CHECK_THAT(log.out, Catch::Contains("greeting=hi, there=you\n"));
    CHECK_THAT(log.out, Catch::Contains("LOUDLY\n"));

    // A parameter the config does not declare: the parser's message, an `error` pipeline.
    const std::vector<std::string> undeclared = {"trigger", "--repo",  url,          "--ref",
                                                 "main",    "--param", "colour=red", "--wait"};
    const CommandResult refused = cluster.fmg(undeclared);
    INFO(refused.describe(undeclared));
    CHECK(refused.status.exited_with(1));
    const auto errored =
        array_field(cluster.api().get("/api/v1/pipelines?limit=1").json(), "data")->getObject(0);
    CHECK(string_field(errored, "status") == "error");
    CHECK_THAT(string_field(errored, "error"),
               Catch::StartsWith(".circleci/config.yml:") &&
                   Catch::Contains("has no parameter `colour` (it declares greeting, loud)"));
}
