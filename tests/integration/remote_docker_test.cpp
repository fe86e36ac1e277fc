// `setup_remote_docker` through the real binaries: a runner started with --allow-job-docker
// gives the steps after it the host's Docker engine (the shell executor: the docker CLI on
// the host answers; the docker executor: the engine's socket in the job's container), while
// a job without the step cannot reach the engine; a runner started without the flag fails
// the job with an error saying why.

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

AgentOptions allowing(AgentOptions options) {
    options.extra_args.push_back("--allow-job-docker");
    return options;
}

}  // namespace

TEST_CASE(
    "e2e: a shell runner with --allow-job-docker gives the engine after setup_remote_docker") {
    Cluster cluster;
    AgentOptions machine = allowing(shell_agent_options());
    machine.runner_args = {"--labels", "machine"};
    cluster.start_runner("runner-1", machine);
    GitRepo repo = cluster.make_repo();
    repo.write_config(R"(version: 2.1
jobs:
  images:
    machine: true
    steps:
      - run: 'echo "before: ${DOCKER_HOST:-none}"'
      - setup_remote_docker
      - run: |
          echo "after: $DOCKER_HOST"
          docker version --format 'engine answers: {{.Server.Version}}'
  other:
    machine: true
    steps:
      - run: docker version >/dev/null 2>&1 && echo "engine reachable" || echo "engine hidden"
workflows:
  ci:
    jobs: [images, other]
)");
    const std::string sha = repo.commit("Build images");
    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");
    const std::string images = cluster.job_log(id, "images");
    CHECK_THAT(images, Catch::Contains("before: none"));
    CHECK_THAT(images,
               Catch::Contains("fmg: the runner's Docker engine is at DOCKER_HOST=unix://"));
    CHECK_THAT(images, Catch::Contains("after: unix://"));
    CHECK_THAT(images, Catch::Contains("engine answers: "));
    // A job without the step: the engine's socket stays covered in its sandbox.
    CHECK_THAT(cluster.job_log(id, "other"), Catch::Contains("engine hidden"));
}

TEST_CASE("e2e: setup_remote_docker on a runner without --allow-job-docker is a job error") {
    Cluster cluster;
    cluster.start_runner("runner-1");
    GitRepo repo = cluster.make_repo();
    repo.write_config(R"(version: 2
jobs:
  build:
    docker: [{image: fmg/busybox:latest}]
    steps:
      - setup_remote_docker: {version: 20.10.24}
      - run: echo "never runs"
)");
    const std::string sha = repo.commit("Needs an engine");
    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    CHECK(string_field(pipeline, "status") == "error");
    const auto job = find_named(pipeline, "jobs", "build");
    CHECK(string_field(job, "status") == "error");
    const auto attempts = object_array(job, "attempts");
    REQUIRE_FALSE(attempts.empty());
    CHECK(optional_string(attempts.back(), "error") ==
          "setup_remote_docker: this runner gives jobs no Docker engine (its fmg-agent runs "
          "without --allow-job-docker; see docs/executors.md)");
    const std::string log = cluster.job_log(id, "build");
    CHECK_THAT(log, Catch::Contains("fmg: setup_remote_docker: this runner gives jobs no Docker"));
    CHECK_THAT(log, !Catch::Contains("never runs"));
}

TEST_CASE("e2e: a docker runner with --allow-job-docker puts the engine's socket in the job") {
    Cluster cluster;
    cluster.start_runner("runner-1", allowing({}));
    GitRepo repo = cluster.make_repo();
    repo.write_config(R"(version: 2
jobs:
  build:
    docker: [{image: fmg/busybox:latest}]
    steps:
      - setup_remote_docker
      - run: test -S /var/run/docker.sock && echo "socket for $DOCKER_HOST"
)");
    const std::string sha = repo.commit("Use the engine");
    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");
    CHECK_THAT(cluster.job_log(id, "build"),
               Catch::Contains("socket for unix:///var/run/docker.sock"));
}
