// idle: what an fmg installation costs while nothing happens. A coordinator and one agent
// (shell executor) run one small pipeline to warm up, then sit idle; their resident memory
// is sampled for a while and the peak is reported.

#include <catch2/catch.hpp>
#include <thread>

#include "tests/bench/bench_options.h"
#include "tests/bench/proc_stats.h"
#include "tests/bench/report.h"
#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace fmg::bench {
namespace {

const std::string kOneStepConfig = R"yaml(version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run: echo warm
)yaml";

}  // namespace

TEST_CASE("idle", "[bench]") {
    Cluster cluster;
    AgentOptions agent;
    agent.executor = "shell";
    Process& agent_process = cluster.start_runner("idle-agent", agent);
    GitRepo repo = cluster.make_repo();
    repo.write_config(kOneStepConfig);
    const int64_t id = cluster.push(repo, repo.commit("warm up"));
    REQUIRE(string_field(cluster.wait_for_final(id), "status") == "success");

    // Idle means a few heartbeats have gone by since the last work.
    const auto idle_for = std::chrono::seconds(repetitions(5, 2));
    std::vector<double> coordinator_samples;
    std::vector<double> agent_samples;
    const auto until = std::chrono::steady_clock::now() + idle_for;
    while (std::chrono::steady_clock::now() < until) {
        coordinator_samples.push_back(rss_mib(cluster.coordinator().pid()));
        agent_samples.push_back(rss_mib(agent_process.pid()));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const double coordinator_peak = summarize(coordinator_samples).max;
    const double agent_peak = summarize(agent_samples).max;
    record("idle", "coordinator RSS", "MiB", {coordinator_peak}, "<= 32 MiB",
           coordinator_peak <= 32);
    record("idle", "agent RSS", "MiB", {agent_peak}, "<= 12 MiB", agent_peak <= 12);
    cluster.stop_gracefully();
}

}  // namespace fmg::bench
