// The coordinator and the agent running a job both crash (`kill -9`) and both are started
// again: the agent comes back without the attempt (its process, and with it the step, is
// gone), so the coordinator loses that attempt, retries the job, and the pipeline ends as
// the retry does. Nothing of the crashed run is shown as the job's log.

#include <catch2/catch.hpp>
#include <csignal>

#include "tests/support/cluster.h"
#include "tests/support/held_job.h"
#include "tests/support/json.h"

using namespace fmg::testing;

TEST_CASE(
    "faults: coordinator and agent both killed mid-job and restarted: the job is retried and "
    "the pipeline succeeds") {
    Cluster cluster(fast_liveness_options());
    const AgentOptions agent = shell_agent_options();
    Process& first_agent = cluster.start_runner("runner-a", agent);

    const auto [sha, id] = push_held_job(cluster);

    const auto first = wait_until_held(cluster, id, 1);
    REQUIRE(string_field(first, "runner") == "runner-a");
    const std::string workspace_dir = (cluster.dir() / "agents" / "runner-a").string() + "/";

    cluster.kill_coordinator();
    first_agent.kill(SIGKILL);
    REQUIRE(first_agent.wait_for(deadline_after(std::chrono::seconds(10))));

    cluster.restart_coordinator();
    cluster.restart_agent("runner-a", agent);

    // The agent's hello lists no attempt: the old one is lost at once and the job runs again.
    const auto second = wait_until_held(cluster, id, 2);
    CHECK(string_field(second, "runner") == "runner-a");
    {
        const auto attempts = job_attempts(cluster.pipeline(id), "build");
        REQUIRE(attempts.size() == 2);
        CHECK(string_field(attempts[0], "status") == "lost");
        CHECK_THAT(optional_string(attempts[0], "error").value_or(""),
                   Catch::Contains("came back without it"));
    }
    REQUIRE(release_held_steps(cluster, "runner-a") == 1);

    const auto finished = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(finished));
    CHECK(string_field(finished, "status") == "success");
    const auto attempts = job_attempts(finished, "build");
    REQUIRE(attempts.size() == 2);
    CHECK(string_field(attempts[0], "status") == "lost");
    CHECK(string_field(attempts[1], "status") == "success");

    // The job's log is the retry's whole run: one first line, one last line.
    const std::string log = job_log(cluster, id, "build");
    INFO("log:\n" << log);
    CHECK(log.find(kHeldFirstLine + workspace_dir) != std::string::npos);
    CHECK(log.find(kHeldFirstLine) == log.rfind(kHeldFirstLine));
    CHECK(log.find(kHeldLastLine + workspace_dir) != std::string::npos);
    CHECK(log.find(kHeldLastLine) == log.rfind(kHeldLastLine));
    // The crashed attempt's log keeps what it printed and no more.
    const std::string old_log = job_log(cluster, id, "build", 1);
    CHECK(old_log.find(kHeldFirstLine) != std::string::npos);
    CHECK(old_log.find(kHeldLastLine) == std::string::npos);

    cluster.wait_for_github_status("fmg/build", sha, "success");
    std::vector<std::string> states;
    for (const auto& posted : cluster.github().statuses_for("fmg/build")) {
        states.push_back(posted.state);
    }
    CHECK(states == std::vector<std::string>{"pending", "success"});

    cluster.stop_gracefully();
}
