// logs: how fast a step's output reaches the coordinator's log store, and what holding it
// costs. One step (shell executor) prints 256 MiB of text lines (quick: 32 MiB); the figure
// is MiB per second from the step's `started_at` to the job's `finished_at` (the agent
// streams, the coordinator stores and acknowledges every chunk before the job can end).
// The stored log, read back through GET .../log, must equal what the step printed byte for
// byte. The peak resident memory of the coordinator and of the agent is sampled meanwhile.
//
// The step's output: a 1 MiB block of 16,384 numbered 64-byte lines, printed once per MiB
// after a `block NNNN` header line by one perl process, so lost, repeated or reordered chunks
// show up in the comparison while the generator itself costs little (about 0.2 s of CPU for
// 256 MiB here). The coordinator runs with --log-cap 1 GiB so the log is kept whole.
//
// Baseline: the same script run by bash in the same run, piped through `cat` into a file:
// what printing the bytes and moving them through a pipe into storage costs on this machine
// without fmg (that file is also what the log must equal).
//
// Budget: about 2 s a run at the target plus a read-back of the log; 3 runs: under 30 s.

#include <catch2/catch.hpp>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "shared/time_format.h"
#include "tests/bench/bench_options.h"
#include "tests/bench/proc_stats.h"
#include "tests/bench/report.h"
#include "tests/support/cluster.h"
#include "tests/support/held_job.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace fmg::bench {
namespace {

constexpr double kTargetMiBPerSecond = 150;
constexpr double kTargetRssMiB = 64;
constexpr double kMiB = 1024.0 * 1024.0;
const std::string kLogCap = "1073741824";

// Prints `mebibytes` MiB of numbered 64-byte lines, each MiB after a `block NNNN` line. One
// perl process (Debian's perl-base) writing a prepared block: a few hundred MiB/s on one core,
// where a `cat` a MiB would cost a process spawn each.
std::string generator_script(int mebibytes) {
    return "perl -e 'my $block = join \"\", map { sprintf \"%08d the quick brown fox jumps over "
           "the lazy dog, fmg logs.\\n\", $_ } 1 .. 16384;\n"
           "for my $b (1 .. " +
           std::to_string(mebibytes) + ") { printf \"block %04d\\n\", $b; print $block; }'\n";
}

std::string log_config(int mebibytes) {
    std::ostringstream yaml;
    yaml << "version: 2.1\njobs:\n  build:\n    docker:\n      - image: fmg/busybox:latest\n"
         << "    steps:\n      - run:\n          name: Print\n          command: |\n";
    std::istringstream lines(generator_script(mebibytes));
    for (std::string line; std::getline(lines, line);) yaml << "            " << line << "\n";
    return yaml.str();
}

int64_t wall_ms_of(const Poco::JSON::Object::Ptr& object, const std::string& key) {
    const std::string text = string_field(object, key);
    const auto parsed = parse_rfc3339_ms(text);
    if (!parsed) FAIL(key << " is not RFC 3339: " << text);
    return *parsed;
}

// Runs the generator with bash into `out`; returns MiB/s of the whole run.
double baseline_to_file(const std::filesystem::path& dir, int mebibytes,
                        const std::filesystem::path& out) {
    std::filesystem::create_directories(dir);
    ProcessOptions options;
    options.argv = {"bash", "-eo", "pipefail", "-c",
                    "{\n" + generator_script(mebibytes) + "} | cat > '" + out.string() + "'\n"};
    options.cwd = dir;
    const auto started = Clock::now();
    const CommandResult result = run_command(options, std::chrono::minutes(2));
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    INFO(result.describe(options.argv));
    REQUIRE(result.ok());
    return static_cast<double>(std::filesystem::file_size(out)) / kMiB / seconds;
}

// Fails the test unless `stored` equals the file's bytes; names the first difference.
void require_identical(const std::string& stored, const std::filesystem::path& expected_file) {
    const std::string expected = read_file_text(expected_file);
    if (stored == expected) return;
    size_t at = 0;
    while (at < stored.size() && at < expected.size() && stored[at] == expected[at]) ++at;
    const size_t from = at > 80 ? at - 80 : 0;
    FAIL("the stored log (" << stored.size() << " bytes) differs from what the step printed ("
                            << expected.size() << " bytes) at byte " << at
                            << "\nprinted: " << expected.substr(from, 160)
                            << "\nstored:  " << stored.substr(from, 160));
}

struct Run {
    double mib_per_second = 0;
    double coordinator_peak_mib = 0;
    double agent_peak_mib = 0;
};

Run run_once(Cluster& cluster, Process& agent, GitRepo& repo, const std::string& sha,
             const std::filesystem::path& expected_file) {
    PeakRssSampler coordinator_rss(cluster.coordinator().pid());
    PeakRssSampler agent_rss(agent.pid());
    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id);
    Run run;
    run.coordinator_peak_mib = coordinator_rss.stop();
    run.agent_peak_mib = agent_rss.stop();
    INFO("pipeline: " << to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");
    const auto job = find_named(pipeline, "jobs", "build");
    REQUIRE(job_attempts(pipeline, "build").size() == 1);
    const auto step = find_named(job, "steps", "Print");
    const int64_t elapsed_ms = wall_ms_of(job, "finished_at") - wall_ms_of(step, "started_at");
    REQUIRE(elapsed_ms > 0);

    const std::string stored = job_log(cluster, id, "build");
    require_identical(stored, expected_file);
    run.mib_per_second = static_cast<double>(stored.size()) / kMiB / (elapsed_ms / 1000.0);
    std::cout << "logs: " << stored.size() << " bytes in " << elapsed_ms << " ms ("
              << run.mib_per_second << " MiB/s), peak RSS coordinator " << run.coordinator_peak_mib
              << " MiB, agent " << run.agent_peak_mib << " MiB" << std::endl;
    return run;
}

std::string fixed(double value, int digits) {
    std::ostringstream text;
    text << std::fixed << std::setprecision(digits) << value;
    return text.str();
}

}  // namespace

TEST_CASE("logs", "[bench]") {
    const int mebibytes = repetitions(256, 32);
    const int runs = repetitions(3, 1);

    ClusterOptions options;
    options.coordinator_args = {"--log-cap", kLogCap};
    Cluster cluster(options);
    AgentOptions agent_options;
    agent_options.executor = "shell";
    Process& agent = cluster.start_runner("logs-agent", agent_options);
    GitRepo repo = cluster.make_repo();
    repo.write_config(log_config(mebibytes));
    const std::string sha = repo.commit("A step that prints " + std::to_string(mebibytes) + " MiB");

    const std::filesystem::path expected_file = cluster.dir() / "printed.log";
    std::vector<double> baseline_samples;
    std::vector<double> throughput;
    std::vector<double> coordinator_peaks;
    std::vector<double> agent_peaks;
    for (int i = 0; i < runs; ++i) {
        baseline_samples.push_back(
            baseline_to_file(cluster.dir() / "baseline", mebibytes, expected_file));
        const Run run = run_once(cluster, agent, repo, sha, expected_file);
        throughput.push_back(run.mib_per_second);
        coordinator_peaks.push_back(run.coordinator_peak_mib);
        agent_peaks.push_back(run.agent_peak_mib);
    }

    const std::string what = std::to_string(mebibytes) + " MiB step output";
    const std::string baseline =
        fixed(summarize(baseline_samples).median, 0) + " MiB/s: the same script | cat > file";
    record("logs", what + " -> stored", "MiB/s", throughput, ">= 150 MiB/s",
           summarize(throughput).median >= kTargetMiBPerSecond, baseline);
    record("logs", "coordinator peak RSS during it", "MiB", coordinator_peaks, "<= 64 MiB",
           summarize(coordinator_peaks).max <= kTargetRssMiB);
    record("logs", "agent peak RSS during it", "MiB", agent_peaks, "<= 64 MiB",
           summarize(agent_peaks).max <= kTargetRssMiB);
    cluster.stop_gracefully();
}

}  // namespace fmg::bench
