// A job whose runner dies under it on every attempt is not retried forever: with
// --max-attempts 2, losing the second attempt ends the job and the pipeline in `error`, says
// it gave up after 2 attempts, and GitHub gets `error`.

#include <catch2/catch.hpp>
#include <csignal>
#include <map>
#include <set>

#include "tests/support/cluster.h"
#include "tests/support/held_job.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

// Kills the agent that runs attempt `number` (once its held step runs) and waits until it is
// gone; returns that runner's name.
std::string kill_runner_of_attempt(Cluster& cluster, std::map<std::string, Process*>& agents,
                                   int64_t id, int64_t number) {
    const auto attempt = wait_until_held(cluster, id, number);
    const std::string runner = string_field(attempt, "runner");
    REQUIRE(agents.count(runner) == 1);
    Process& agent = *agents.at(runner);
    agent.kill(SIGKILL);
    const auto ended = agent.wait_for(deadline_after(std::chrono::seconds(5)));
    REQUIRE(ended);
    CHECK(ended->signal == SIGKILL);
    return runner;
}

}  // namespace

TEST_CASE(
    "faults: a job whose runner is killed on each of --max-attempts 2 attempts ends in "
    "error") {
    ClusterOptions options;
    options.coordinator_args = {"--max-attempts", "2"};
    Cluster cluster(options);
    // held steps end by themselves once their agent is gone
    const AgentOptions agent = shell_agent_options();
    std::map<std::string, Process*> agents;
    for (const std::string runner : {"runner-a", "runner-b"}) {
        agents[runner] = &cluster.start_runner(runner, agent);
    }

    const auto [sha, id] = push_held_job(cluster);

    const std::string first_runner = kill_runner_of_attempt(cluster, agents, id, 1);
    const std::string second_runner = kill_runner_of_attempt(cluster, agents, id, 2);
    CHECK(first_runner != second_runner);

    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    CHECK(string_field(pipeline, "status") == "error");
    const auto job = find_named(pipeline, "jobs", "build");
    CHECK(string_field(job, "status") == "error");
    CHECK(optional_string(job, "finished_at"));
    const auto attempts = job_attempts(pipeline, "build");
    REQUIRE(attempts.size() == 2);  // no third attempt
    CHECK(string_field(attempts[0], "runner") == first_runner);
    CHECK(string_field(attempts[1], "runner") == second_runner);
    for (const auto& attempt : attempts) {
        INFO("attempt: " << to_json(attempt));
        CHECK(string_field(attempt, "status") == "lost");
        CHECK_THAT(optional_string(attempt, "error").value_or(""),
                   Catch::Contains(string_field(attempt, "runner")));
    }

    // GitHub: pending once, then error saying why.
    cluster.wait_for_github_status("fmg/build", sha, "error");
    const auto statuses = cluster.github().statuses_for("fmg/build");
    std::vector<std::string> states;
    for (const auto& posted : statuses) states.push_back(posted.state);
    CHECK(states == std::vector<std::string>{"pending", "error"});
    // Why it ended is visible to users of the API and the CLI, not only on GitHub.
    CHECK_THAT(optional_string(pipeline, "error").value_or(""),
               Catch::Contains("gave up after 2 attempt"));
    for (const auto& step : object_array(job, "steps")) {
        CHECK(string_field(step, "status") != "running");
    }
    REQUIRE_FALSE(statuses.empty());
    CHECK_THAT(statuses.back().description, Catch::Contains("gave up after 2 attempt"));

    cluster.stop_gracefully();
}
