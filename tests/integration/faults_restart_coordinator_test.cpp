// The coordinator crashes (`kill -9`) in the middle of a job and is started again on the same
// data dir. The agent keeps running the step, keeps every line it prints while nobody
// listens, reconnects by itself and reports the attempt; the restarted coordinator keeps it
// (it is inside the restart grace), takes the resent log and the result, and the job ends on
// the same runner with each printed line in its log exactly once.

#include <catch2/catch.hpp>
#include <optional>
#include <regex>
#include <sstream>

#include "tests/support/cluster.h"
#include "tests/support/held_job.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

constexpr std::chrono::seconds kAgentNoticeTimeout{20};

// A step that prints a numbered line every 20 ms until the test releases it, so output is
// produced before, during and after the coordinator's absence; then one last line.
const std::string kTickerConfig = R"yaml(version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run:
          name: Tick
          command: |
            touch holding
            i=0
            while [ ! -f release ]; do i=$((i+1)); echo "tick $i"; sleep 0.02; done
            echo "ticked $i times"
)yaml";

/// Checks that `log` holds "tick 1" .. "tick N" in order, each once, then "ticked N times";
/// returns N.
int check_ticks_exactly_once(const std::string& log) {
    INFO("log:\n" << log);
    std::istringstream lines(log);
    std::string line;
    int expected = 1;
    std::optional<int> total;
    const std::regex tick(R"(tick (\d+))");
    const std::regex ticked(R"(ticked (\d+) times)");
    std::smatch match;
    while (std::getline(lines, line)) {
        if (std::regex_match(line, match, tick)) {
            REQUIRE(!total);
            REQUIRE(std::stoi(match[1]) == expected);  // no gap, no repeat, in order
            ++expected;
        } else if (std::regex_match(line, match, ticked)) {
            REQUIRE(!total);
            total = std::stoi(match[1]);
        }
    }
    REQUIRE(total);
    CHECK(*total == expected - 1);
    return *total;
}

size_t count_in(const std::string& text, const std::string& what) {
    size_t count = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
    return count;
}

}  // namespace

TEST_CASE(
    "faults: a coordinator killed mid-job and restarted on its data dir lets the job finish "
    "on the same agent with every line once") {
    Cluster cluster(fast_liveness_options());
    // The shell executor: the test releases the step through the workspace
    const AgentOptions agent = shell_agent_options();
    Process& runner_a = cluster.start_runner("runner-a", agent);
    Process& runner_b = cluster.start_runner("runner-b", agent);

    GitRepo repo = cluster.make_repo();
    repo.write_config(kTickerConfig);
    const std::string sha = repo.commit("A step that ticks until released");
    const int64_t id = cluster.push(repo, sha);

    cluster.wait_until(
        deadline_after(kPipelineTimeout),
        [&] {
            const auto attempts = job_attempts(cluster.pipeline(id), "build");
            return attempts.size() == 1 &&
                   job_log(cluster, id, "build").find("tick 10\n") != std::string::npos;
        },
        "the job to run and print 10 ticks");
    const auto attempt = job_attempts(cluster.pipeline(id), "build").front();
    const std::string runner = string_field(attempt, "runner");
    Process& agent_process = runner == "runner-a" ? runner_a : runner_b;

    cluster.kill_coordinator();
    // The agent hears nothing for the timeout, drops its socket and keeps trying; its step
    // goes on ticking meanwhile.
    cluster.wait_until(
        deadline_after(kAgentNoticeTimeout),
        [&] {
            return agent_process.stderr_text().find("disconnecting from the coordinator") !=
                   std::string::npos;
        },
        runner + " to notice the coordinator is gone");
    // The job ends while the coordinator is down: its last lines and its result wait in the
    // agent.
    REQUIRE(release_held_steps(cluster, runner) == 1);
    const std::string finished_line =
        "attempt=" + std::to_string(int_field(attempt, "id")) + " finished";
    cluster.wait_until(
        deadline_after(kAgentNoticeTimeout),
        [&] { return agent_process.stderr_text().find(finished_line) != std::string::npos; },
        runner + " to finish the job while the coordinator is down");

    cluster.restart_coordinator();
    const auto final_pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(final_pipeline));
    CHECK(string_field(final_pipeline, "status") == "success");
    const auto attempts = job_attempts(final_pipeline, "build");
    REQUIRE(attempts.size() == 1);  // kept, not retried
    CHECK(string_field(attempts[0], "runner") == runner);
    CHECK(string_field(attempts[0], "status") == "success");

    const std::string log = job_log(cluster, id, "build");
    const int ticks = check_ticks_exactly_once(log);
    CHECK(ticks > 10);
    CHECK(count_in(log, "ticked ") == 1);
    // `fmg logs` reads the same.
    const CommandResult cli_log = cluster.fmg({"logs", std::to_string(id), "build"});
    CHECK(cli_log.ok());
    CHECK(cli_log.out == log);

    cluster.wait_for_github_status("fmg/build", sha, "success");
    std::vector<std::string> states;
    for (const auto& posted : cluster.github().statuses_for("fmg/build")) {
        states.push_back(posted.state);
    }
    CHECK(states == std::vector<std::string>{"pending", "success"});
    cluster.wait_for_runner_state(runner, "online");

    cluster.stop_gracefully();
}
