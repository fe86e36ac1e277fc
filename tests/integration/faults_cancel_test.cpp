// `fmg cancel` on a pipeline whose step runs in Docker for minutes: the job and the pipeline
// end `cancelled` at once, the step's containers are removed, and GitHub gets `error`.

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/docker.h"
#include "tests/support/held_job.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

const std::string kLongConfig = R"(version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    steps:
      - checkout
      - run:
          name: Sleep
          command: |
            echo "going to sleep"
            sleep 300
            echo "woke up"
)";

constexpr std::chrono::seconds kCancelTimeout{10};
constexpr std::chrono::seconds kCleanupTimeout{5};

std::chrono::milliseconds since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

}  // namespace

TEST_CASE("faults: fmg cancel stops a long Docker step and removes its containers") {
    require_docker();
    Cluster cluster;
    AgentOptions agent;
    agent.executor = "docker";
    cluster.start_runner("runner-1", agent);
    ContainerSweeper sweeper;  // only does something when the agent failed to remove them

    GitRepo repo = cluster.make_repo();
    repo.write_config(kLongConfig);
    const std::string sha = repo.commit("A step that sleeps for five minutes");
    const int64_t id = cluster.push(repo, sha);

    // The step runs: its container is up and its first line is in the log.
    Poco::JSON::Object::Ptr attempt;
    cluster.wait_until(
        deadline_after(kPipelineTimeout),
        [&] {
            const auto attempts = job_attempts(cluster.pipeline(id), "build");
            if (attempts.empty()) return false;
            attempt = attempts.back();
            return optional_string(attempt, "status") == "running" &&
                   job_log(cluster, id, "build").find("going to sleep") != std::string::npos;
        },
        "the Sleep step to run");
    const int64_t attempt_id = int_field(attempt, "id");
    sweeper.add(attempt_id);
    REQUIRE_FALSE(attempt_containers(attempt_id).empty());

    const std::vector<std::string> args{"cancel", std::to_string(id)};
    const auto cancelled_at = Clock::now();
    const CommandResult cancel = cluster.fmg(args);
    INFO(cancel.describe({"fmg", "cancel", std::to_string(id)}));
    CHECK(cancel.ok());

    const auto pipeline = cluster.wait_for_final(id, kCancelTimeout);
    print_measurement("fmg cancel -> pipeline final", since(cancelled_at));
    INFO("pipeline: " << to_json(pipeline));
    CHECK(string_field(pipeline, "status") == "cancelled");
    const auto job = find_named(pipeline, "jobs", "build");
    CHECK(string_field(job, "status") == "cancelled");
    const auto attempts = job_attempts(pipeline, "build");
    REQUIRE(attempts.size() == 1);
    CHECK(string_field(attempts[0], "status") == "cancelled");
    // The step the agent never finished reporting ends with its attempt, with an end time.
    const auto sleep_step = find_named(job, "steps", "Sleep");
    CHECK(string_field(sleep_step, "status") == "cancelled");
    CHECK(optional_string(sleep_step, "finished_at").has_value());

    cluster.wait_until(
        deadline_after(kCleanupTimeout), [&] { return attempt_containers(attempt_id).empty(); },
        "the containers labelled fmg.attempt=" + std::to_string(attempt_id) + " to be removed");
    print_measurement("fmg cancel -> containers removed", since(cancelled_at));

    cluster.wait_for_github_status("fmg/build", sha, "error");
    std::vector<std::string> states;
    for (const auto& posted : cluster.github().statuses_for("fmg/build")) {
        states.push_back(posted.state);
    }
    CHECK(states == std::vector<std::string>{"pending", "error"});
    CHECK_THAT(job_log(cluster, id, "build"), !Catch::Contains("woke up"));

    cluster.stop_gracefully();
}
