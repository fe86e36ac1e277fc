// An agent on another host (its own network namespace, joined by a veth pair) loses its
// network in the middle of a job: no connection is reset, packets just stop. After the agent
// timeout the coordinator declares it lost and the job runs on the other runner. When the link
// comes back, the cut-off agent reconnects by itself, its late output and result for the old
// attempt are refused, and it is online again.

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/held_job.h"
#include "tests/support/json.h"
#include "tests/support/network_namespace.h"

using namespace fmg::testing;

namespace {

constexpr std::chrono::seconds kReconnectTimeout{30};

}  // namespace

TEST_CASE(
    "faults: an agent cut off from the network loses its job to the other runner and "
    "re-registers when the link is back") {
    NetworkNamespace remote_host;
    ClusterOptions options = fast_liveness_options();
    options.agent_listen_host = "0.0.0.0";  // reachable from the namespace through the veth
    Cluster cluster(options);

    // The shell executor: the test releases the held step through the workspace
    AgentOptions remote = shell_agent_options();
    remote.command_prefix = remote_host.exec_prefix();
    remote.extra_args = {"--coordinator", "tcp://" + remote_host.host_address() + ":" +
                                              std::to_string(cluster.agent_port())};
    Process& cut_agent = cluster.start_runner("remote", remote);

    const auto [sha, id] = push_held_job(cluster);
    const auto first = wait_until_held(cluster, id, 1);
    REQUIRE(string_field(first, "runner") == "remote");
    const int64_t first_id = int_field(first, "id");

    const AgentOptions local = shell_agent_options();
    cluster.start_runner("local", local);

    const auto cut_at = Clock::now();
    remote_host.cut();
    const auto second = wait_until_held(cluster, id, 2);
    print_measurement("network cut -> retry running (agent timeout " +
                          std::to_string(kFastAgentTimeoutMs) + " ms)",
                      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - cut_at));
    CHECK(string_field(second, "runner") == "local");
    {
        const auto attempts = job_attempts(cluster.pipeline(id), "build");
        REQUIRE(attempts.size() == 2);
        CHECK(string_field(attempts[0], "status") == "lost");
        CHECK_THAT(optional_string(attempts[0], "error").value_or(""),
                   Catch::Contains("silent for"));
    }
    cluster.wait_for_runner_state("remote", "lost");

    // Both held steps finish: the retry's, and the cut-off agent's, whose output and result
    // wait in that agent until the link is back.
    REQUIRE(release_held_steps(cluster, "local") == 1);
    REQUIRE(release_held_steps(cluster, "remote") == 1);
    const auto finished = cluster.wait_for_final(id);
    REQUIRE(string_field(finished, "status") == "success");

    remote_host.restore();
    const std::string refused =
        "attempt=" + std::to_string(first_id) + " cancelled by the coordinator";
    cluster.wait_until(
        deadline_after(kReconnectTimeout),
        [&] { return cut_agent.stderr_text().find(refused) != std::string::npos; },
        "the reconnected agent to be told to drop attempt " + std::to_string(first_id));
    cluster.wait_for_runner_state("remote", "online", kReconnectTimeout);
    CHECK(cut_agent.running());

    const auto pipeline = cluster.pipeline(id);
    INFO("pipeline: " << to_json(pipeline));
    CHECK(string_field(pipeline, "status") == "success");
    const auto attempts = job_attempts(pipeline, "build");
    REQUIRE(attempts.size() == 2);
    CHECK(string_field(attempts[0], "runner") == "remote");
    CHECK(string_field(attempts[0], "status") == "lost");
    CHECK(string_field(attempts[1], "runner") == "local");
    CHECK(string_field(attempts[1], "status") == "success");

    const std::string remote_dir = (cluster.dir() / "agents" / "remote").string() + "/";
    const std::string local_dir = (cluster.dir() / "agents" / "local").string() + "/";
    const std::string log = job_log(cluster, id, "build");
    CHECK_THAT(log, Catch::Contains(kHeldLastLine + local_dir));
    CHECK_THAT(log, !Catch::Contains(remote_dir));
    const std::string old_log = job_log(cluster, id, "build", 1);
    CHECK_THAT(old_log, Catch::Contains(kHeldFirstLine + remote_dir));
    CHECK_THAT(old_log, !Catch::Contains(kHeldLastLine));

    cluster.wait_for_github_status("fmg/build", sha, "success");
    std::vector<std::string> states;
    for (const auto& posted : cluster.github().statuses_for("fmg/build")) {
        states.push_back(posted.state);
    }
    CHECK(states == std::vector<std::string>{"pending", "success"});

    cluster.stop_gracefully();
}
