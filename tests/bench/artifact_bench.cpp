// artifact: a 1 GiB artifact up from a job and down through the CLI, with the peak RSS of
// the coordinator, the agent and the CLI meanwhile (targets: 64 MiB each, as for logs:
// nothing holds a file whole, docs/files.md). One job on a shell runner writes 1 GiB of
// random bytes (quick: 128 MiB) and stores it; `fmg artifacts --get` downloads it to a
// file, checked against its size and SHA-256.
//
// Throughput is given against a baseline measured in the same run: `cp` of the file on this
// host's disk (what writing the same bytes once more costs, without hashing, encryption or a
// network hop). The upload figure is the store_artifacts step's duration from the API; the
// download figure is the CLI's wall time.
//
// Budget: about a minute a run; 2 runs.

#include <catch2/catch.hpp>

#include "shared/time_format.h"
#include "tests/bench/bench_options.h"
#include "tests/bench/proc_stats.h"
#include "tests/bench/report.h"
#include "tests/support/cluster.h"
#include "tests/support/json.h"
#include "tests/support/wait.h"

using namespace fmg::testing;

namespace fmg::bench {
namespace {

constexpr double kTargetRssMiB = 64;

std::string artifact_config(int64_t bytes) {
    return R"yaml(version: 2.1
jobs:
  build:
    machine: true
    steps:
      - run: |
          head -c )yaml" +
           std::to_string(bytes) + R"yaml( /dev/urandom > big.bin
          echo "big: $(sha256sum big.bin | cut -d' ' -f1)"
      - store_artifacts:
          name: Store
          path: big.bin
          destination: big.bin
workflows:
  ci:
    jobs: [build]
)yaml";
}

double seconds_between(const Poco::JSON::Object::Ptr& step) {
    const auto started = parse_rfc3339_ms(string_field(step, "started_at"));
    const auto finished = parse_rfc3339_ms(string_field(step, "finished_at"));
    REQUIRE(started);
    REQUIRE(finished);
    return static_cast<double>(*finished - *started) / 1000.0;
}

/// Seconds of `cp` of `file` beside it, flushed (the baseline).
double copy_seconds(const std::filesystem::path& file) {
    ProcessOptions copy;
    copy.argv = {"bash", "-c", "cp big.bin copy.bin && sync copy.bin"};
    copy.cwd = file.parent_path();
    const auto started = Clock::now();
    REQUIRE(run_command(copy, std::chrono::minutes(2)).ok());
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    std::filesystem::remove(file.parent_path() / "copy.bin");
    return seconds;
}

}  // namespace

TEST_CASE("artifact", "[bench]") {
    const int64_t bytes = int64_t{repetitions(1024, 128)} * 1024 * 1024;
    const double mebibytes = static_cast<double>(bytes) / (1024.0 * 1024.0);
    const int runs = repetitions(2, 1);

    Cluster cluster;
    Process& agent = cluster.start_runner("artifact-1", machine_agent_options());
    GitRepo repo = cluster.make_repo();
    repo.write_config(artifact_config(bytes));
    const std::string sha = repo.commit("A big artifact");

    std::vector<double> up, down, baseline, coordinator_peaks, agent_peaks, cli_peaks;
    for (int i = 0; i < runs; ++i) {
        PeakRssSampler coordinator_rss(cluster.coordinator().pid());
        PeakRssSampler agent_rss(agent.pid());
        const int64_t id = cluster.push(repo, sha);
        const auto pipeline = cluster.wait_for_final(id, std::chrono::minutes(10));
        INFO("pipeline: " << to_json(pipeline));
        REQUIRE(string_field(pipeline, "status") == "success");
        const std::string printed = printed_sha256(cluster.job_log(id, "build"), "big: ");
        up.push_back(mebibytes / seconds_between(find_named(find_named(pipeline, "jobs", "build"),
                                                            "steps", "Store")));

        const auto file = cluster.dir() / "download" / "big.bin";
        std::filesystem::create_directories(file.parent_path());
        Process& cli = cluster.start_fmg(
            "download-" + std::to_string(i),
            {"artifacts", std::to_string(id), "build", "--get", "big.bin", "-o", file.string()});
        PeakRssSampler cli_rss(cli.pid());
        const auto started = Clock::now();
        const auto exited = cli.wait_for(deadline_after(std::chrono::minutes(10)));
        REQUIRE(exited);
        REQUIRE(exited->exited_with(0));
        down.push_back(mebibytes / std::chrono::duration<double>(Clock::now() - started).count());
        cli_peaks.push_back(cli_rss.stop());
        coordinator_peaks.push_back(coordinator_rss.stop());
        agent_peaks.push_back(agent_rss.stop());
        CHECK(file_sha256(file) == printed);
        baseline.push_back(mebibytes / copy_seconds(file));
        std::filesystem::remove(file);
        std::cout << "artifact: " << mebibytes << " MiB: up " << up.back() << " MiB/s, down "
                  << down.back() << " MiB/s, cp " << baseline.back() << " MiB/s; peak RSS "
                  << coordinator_peaks.back() << " / " << agent_peaks.back() << " / "
                  << cli_peaks.back() << " MiB" << std::endl;
    }
    const std::string what = std::to_string(static_cast<int>(mebibytes)) + " MiB artifact";
    const std::string base = std::to_string(static_cast<int>(summarize(baseline).median)) +
                             " MiB/s: cp of the file on this disk";
    record("artifact", what + ": upload (store_artifacts)", "MiB/s", up, "", std::nullopt, base);
    record("artifact", what + ": download (fmg artifacts --get)", "MiB/s", down, "", std::nullopt,
           base);
    record("artifact", "coordinator peak RSS", "MiB", coordinator_peaks, "<= 64 MiB",
           summarize(coordinator_peaks).max <= kTargetRssMiB);
    record("artifact", "agent peak RSS", "MiB", agent_peaks, "<= 64 MiB",
           summarize(agent_peaks).max <= kTargetRssMiB);
    record("artifact", "CLI peak RSS (download)", "MiB", cli_peaks, "<= 64 MiB",
           summarize(cli_peaks).max <= kTargetRssMiB);
    cluster.stop_gracefully();
}

}  // namespace fmg::bench
