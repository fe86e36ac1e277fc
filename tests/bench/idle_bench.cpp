// idle: what an fmg installation costs while nothing happens. A coordinator and one agent
// (shell executor) run one small pipeline to warm up (a checkout and a step, so the agent has
// done git work and run a process), then sit idle; their resident memory is sampled every
// 100 ms for 5 s; the samples are reported, judged on the largest. The agent's figure is its
// whole process tree (it starts fmg-checkout for each checkout and a shell for each step; none
// should be left). The agent's baseline is the library floor (floor/library_floor.cpp): the
// same libraries loaded and initialised, nothing else; most of an agent's resident memory is
// those libraries' pages, shared with other processes.

#include <catch2/catch.hpp>
#include <iomanip>
#include <sstream>
#include <thread>

#include "tests/bench/bench_options.h"
#include "tests/bench/proc_stats.h"
#include "tests/bench/report.h"
#include "tests/support/binaries.h"
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
      - checkout
      - run: echo warm
)yaml";

// Starts the library floor and returns its resident memory (MiB) once it is initialised.
double library_floor_rss(const Cluster& cluster) {
    ProcessOptions options;
    options.argv = {
        (std::filesystem::path(FMG_BIN_DIR) / "tests" / "fmg_bench_library_floor").string()};
    Process floor("library-floor", options, cluster.dir().path());
    wait_until(
        deadline_after(std::chrono::seconds(10)),
        [&] { return floor.stdout_text().find("ready") != std::string::npos; },
        "the library floor to start");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // as idle as the agent
    return rss_mib(floor.pid());
}

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
    std::vector<double> agent_anon_samples;
    std::vector<double> agent_children_samples;
    const auto until = std::chrono::steady_clock::now() + idle_for;
    while (std::chrono::steady_clock::now() < until) {
        coordinator_samples.push_back(rss_mib(cluster.coordinator().pid()));
        agent_samples.push_back(tree_rss_mib(agent_process.pid()));
        agent_children_samples.push_back(
            static_cast<double>(child_pids(agent_process.pid()).size()));
        agent_anon_samples.push_back(rss_anon_mib(agent_process.pid()));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const double coordinator_peak = summarize(coordinator_samples).max;
    const double agent_peak = summarize(agent_samples).max;
    record("idle", "coordinator RSS", "MiB", coordinator_samples, "<= 32 MiB (largest sample)",
           coordinator_peak <= 32);
    const double agent_files = rss_file_mib(agent_process.pid());
    const double floor = library_floor_rss(cluster);
    std::ostringstream baseline;
    baseline << std::fixed << std::setprecision(1) << "library floor " << floor
             << " MiB; of the agent's RSS " << agent_files << " MiB is mapped files";
    record("idle", "agent RSS (with its child processes)", "MiB", agent_samples,
           "<= 12 MiB (largest sample)", agent_peak <= 12, baseline.str());
    record("idle", "  of which the agent's own (anonymous)", "MiB", agent_anon_samples);
    record("idle", "  the agent's child processes", "processes", agent_children_samples);
    cluster.stop_gracefully();
}

}  // namespace fmg::bench
