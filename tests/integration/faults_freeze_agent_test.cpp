// An agent frozen with SIGSTOP in the middle of a job (a hung host, a paused VM): its TCP
// connection stays up, so only the heartbeat timeout can tell. The attempt ends `lost`, the
// job runs again on the other runner, and when the frozen agent wakes up with the old
// attempt finished, its late output and result are refused: the API and the log stay as
// they were. The agent then reconnects and is online again.

#include <catch2/catch.hpp>
#include <csignal>
#include <map>
#include <regex>

#include "tests/support/cluster.h"
#include "tests/support/held_job.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

constexpr std::chrono::seconds kReconnectTimeout{20};

bool runner_listed_online(Cluster& cluster, const std::string& runner) {
    const CommandResult listed = cluster.fmg({"configure", "list-runners"});
    if (!listed.ok()) FAIL(listed.describe({"fmg", "configure", "list-runners"}));
    const std::regex line(R"((^|\n)\d+: )" + runner + R"( \[online\])");
    return std::regex_search(listed.out, line);
}

}  // namespace

TEST_CASE(
    "faults: a frozen agent loses its job to the other runner and its late result is "
    "refused") {
    Cluster cluster(fast_liveness_options());
    // The shell executor: the test releases the held step through the workspace
    const AgentOptions agent = shell_agent_options();
    std::map<std::string, Process*> agents;
    for (const std::string runner : {"runner-a", "runner-b"}) {
        agents[runner] = &cluster.start_runner(runner, agent);
    }

    const auto [sha, id] = push_held_job(cluster);

    const auto first = wait_until_held(cluster, id, 1);
    const int64_t first_id = int_field(first, "id");
    const std::string frozen = string_field(first, "runner");
    REQUIRE(agents.count(frozen) == 1);
    const std::string other = frozen == "runner-a" ? "runner-b" : "runner-a";
    const std::string frozen_dir = (cluster.dir() / "agents" / frozen).string() + "/";
    const std::string other_dir = (cluster.dir() / "agents" / other).string() + "/";

    Process& sleeper = *agents.at(frozen);
    const auto stopped_at = Clock::now();
    sleeper.kill(SIGSTOP);  // the agent only: its step goes on, as on a host whose agent hangs

    const auto second = wait_until_held(cluster, id, 2);
    print_measurement(
        "SIGSTOP -> retry running (agent timeout " + std::to_string(kFastAgentTimeoutMs) + " ms)",
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - stopped_at));
    CHECK(string_field(second, "runner") == other);
    {
        const auto attempts = job_attempts(cluster.pipeline(id), "build");
        REQUIRE(attempts.size() == 2);
        CHECK(string_field(attempts[0], "status") == "lost");
    }

    // Both held steps may finish: the retry's, and the frozen agent's old one, whose output
    // and result wait in the frozen agent until it wakes up.
    REQUIRE(release_held_steps(cluster, other) == 1);
    REQUIRE(release_held_steps(cluster, frozen) == 1);
    const auto finished = cluster.wait_for_final(id);
    REQUIRE(string_field(finished, "status") == "success");

    sleeper.kill(SIGCONT);
    // The woken agent sends what it holds for the old attempt; the coordinator answers
    // `cancel` (section 10 of PROTOCOL.md), which the agent logs. Then it is online again.
    const std::string refused =
        "attempt=" + std::to_string(first_id) + " cancelled by the coordinator";
    cluster.wait_until(
        deadline_after(kReconnectTimeout),
        [&] { return sleeper.stderr_text().find(refused) != std::string::npos; },
        "the woken agent " + frozen + " to be told to drop attempt " + std::to_string(first_id));
    cluster.wait_until(
        deadline_after(kReconnectTimeout), [&] { return runner_listed_online(cluster, frozen); },
        frozen + " to be [online] again in `fmg configure list-runners`");
    CHECK(sleeper.running());

    const auto pipeline = cluster.pipeline(id);
    INFO("pipeline: " << to_json(pipeline));
    CHECK(string_field(pipeline, "status") == "success");
    const auto job = find_named(pipeline, "jobs", "build");
    CHECK(string_field(job, "status") == "success");
    const auto attempts = job_attempts(pipeline, "build");
    REQUIRE(attempts.size() == 2);
    CHECK(string_field(attempts[0], "runner") == frozen);
    CHECK(string_field(attempts[0], "status") == "lost");
    CHECK(string_field(attempts[1], "runner") == other);
    CHECK(string_field(attempts[1], "status") == "success");

    // The job's log is the retry's run only.
    const std::vector<std::string> args{"logs", std::to_string(id), "build"};
    const CommandResult log = cluster.fmg(args);
    INFO(log.describe({"fmg", "logs", std::to_string(id), "build"}));
    CHECK(log.ok());
    CHECK_THAT(log.out, Catch::Contains(kHeldFirstLine + other_dir));
    CHECK_THAT(log.out, Catch::Contains(kHeldLastLine + other_dir));
    CHECK_THAT(log.out, !Catch::Contains(frozen_dir));
    // The old attempt's log holds what arrived before the freeze, not the late last line.
    const std::string old_log = job_log(cluster, id, "build", 1);
    CHECK_THAT(old_log, Catch::Contains(kHeldFirstLine + frozen_dir));
    CHECK_THAT(old_log, !Catch::Contains(kHeldLastLine));

    cluster.wait_for_github_status("fmg/build", sha, "success");
    std::vector<std::string> states;
    for (const auto& posted : cluster.github().statuses_for("fmg/build")) {
        states.push_back(posted.state);
    }
    CHECK(states == std::vector<std::string>{"pending", "success"});

    cluster.stop_gracefully();
}
