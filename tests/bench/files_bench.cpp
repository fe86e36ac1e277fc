// files: what moving a workspace and a cache between jobs costs. One job (shell runner) writes
// a tree of 200 MiB of random bytes in 800 files of 256 KiB (quick: 32 MiB), persists it and
// saves it as a cache; a second job, on a second runner, attaches it and restores the cache. The
// figures are each step's duration from the API (started_at to finished_at), as MiB/s of the tree,
// and the peak RSS of the coordinator and the agents meanwhile.
//
// Baseline, measured in the same run on the same kind of tree on this host: `tar -cf - tree |
// tar -xf -` into another folder, what packing and unpacking the tree costs without fmg
// (no hashing, no network, no store). Persisting does more (packs, hashes, uploads through
// the coordinator, which hashes and stores), attaching too (fetches, checks the digest,
// checks every entry, unpacks); the target is that each costs no more than twice the
// baseline, i.e. the transfer and the checks cost at most as much as streaming the tree.
// Saving and restoring a cache are measured against the same baseline and target.
//
// Budget: a few seconds a run; 3 runs: under a minute.

#include <catch2/catch.hpp>
#include <iomanip>
#include <sstream>

#include "shared/time_format.h"
#include "tests/bench/bench_options.h"
#include "tests/bench/proc_stats.h"
#include "tests/bench/report.h"
#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace fmg::bench {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kTargetRssMiB = 64;
constexpr int kFileKib = 256;

// Writes `files` files of 256 KiB of random bytes under ./tree (one perl process).
std::string tree_script(int files) {
    return "perl -e 'open(my $r, \"<\", \"/dev/urandom\") or die; mkdir \"tree\"; for my $i (1 "
           ".. " +
           std::to_string(files) +
           ") { my $d = \"tree/d\" . ($i % 16); mkdir $d; read($r, my $b, " +
           std::to_string(kFileKib * 1024) +
           "); open(my $f, \">\", \"$d/f$i\") or die; print $f $b; close $f; }'";
}

std::string files_config(int files) {
    return R"yaml(version: 2.1
jobs:
  make:
    machine: true
    resource_class: host-a
    steps:
      - run:
          name: Write the tree
          command: )yaml" +
           tree_script(files) + R"yaml(
      - persist_to_workspace:
          name: Persist
          root: .
          paths: [tree]
      - save_cache:
          name: Save cache
          key: bench-{{ .BuildNum }}
          paths: [tree]
  use:
    machine: true
    resource_class: host-b
    steps:
      - attach_workspace:
          name: Attach
          at: ws
      - restore_cache:
          name: Restore cache
          keys: [bench-]
      - run: test "$(find ws/tree -type f | wc -l)" -eq )yaml" +
           std::to_string(files) + " && test \"$(find tree -type f | wc -l)\" -eq " +
           std::to_string(files) + R"yaml(
workflows:
  files:
    jobs:
      - make
      - use: {requires: [make]}
)yaml";
}

int64_t wall_ms_of(const Poco::JSON::Object::Ptr& object, const std::string& key) {
    const std::string text = string_field(object, key);
    const auto parsed = parse_rfc3339_ms(text);
    if (!parsed) FAIL(key << " is not RFC 3339: " << text);
    return *parsed;
}

double step_seconds(const Poco::JSON::Object::Ptr& pipeline, const std::string& job,
                    const std::string& step_name) {
    const auto step = find_named(find_named(pipeline, "jobs", job), "steps", step_name);
    return static_cast<double>(wall_ms_of(step, "finished_at") - wall_ms_of(step, "started_at")) /
           1000.0;
}

// Seconds of `tar -cf - tree | tar -xf -` of a tree like the job's, written here.
double baseline_seconds(const std::filesystem::path& dir, int files) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir / "out");
    ProcessOptions make;
    make.argv = {"bash", "-c", tree_script(files)};
    make.cwd = dir;
    REQUIRE(run_command(make, std::chrono::minutes(2)).ok());
    ProcessOptions copy;
    copy.argv = {"bash", "-eo", "pipefail", "-c", "tar -cf - tree | tar -xf - -C out"};
    copy.cwd = dir;
    const auto started = Clock::now();
    const CommandResult result = run_command(copy, std::chrono::minutes(2));
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    INFO(result.describe(copy.argv));
    REQUIRE(result.ok());
    return seconds;
}

std::string fixed(double value, int digits) {
    std::ostringstream text;
    text << std::fixed << std::setprecision(digits) << value;
    return text.str();
}

}  // namespace

TEST_CASE("files", "[bench]") {
    const int files = repetitions(800, 128);
    const double mebibytes = files * kFileKib / 1024.0;
    const int runs = repetitions(3, 1);

    Cluster cluster;
    AgentOptions a = shell_agent_options();
    a.runner_args = {"--labels", "machine,host-a"};
    AgentOptions b = shell_agent_options();
    b.runner_args = {"--labels", "machine,host-b"};
    Process& agent_a = cluster.start_runner("files-a", a);
    Process& agent_b = cluster.start_runner("files-b", b);
    GitRepo repo = cluster.make_repo();
    repo.write_config(files_config(files));
    const std::string sha = repo.commit("A workspace of " + fixed(mebibytes, 0) + " MiB");

    std::vector<double> baseline, persist, attach, save, restore, coordinator_peaks, agent_peaks;
    for (int i = 0; i < runs; ++i) {
        baseline.push_back(mebibytes / baseline_seconds(cluster.dir() / "baseline", files));
        PeakRssSampler coordinator_rss(cluster.coordinator().pid());
        PeakRssSampler a_rss(agent_a.pid());
        PeakRssSampler b_rss(agent_b.pid());
        const int64_t id = cluster.push(repo, sha);
        const auto pipeline = cluster.wait_for_final(id, std::chrono::minutes(5));
        coordinator_peaks.push_back(coordinator_rss.stop());
        agent_peaks.push_back(std::max(a_rss.stop(), b_rss.stop()));
        INFO("pipeline: " << to_json(pipeline));
        REQUIRE(string_field(pipeline, "status") == "success");
        persist.push_back(mebibytes / step_seconds(pipeline, "make", "Persist"));
        attach.push_back(mebibytes / step_seconds(pipeline, "use", "Attach"));
        save.push_back(mebibytes / step_seconds(pipeline, "make", "Save cache"));
        restore.push_back(mebibytes / step_seconds(pipeline, "use", "Restore cache"));
        std::cout << "files: " << mebibytes << " MiB: persist " << persist.back()
                  << " MiB/s, attach " << attach.back() << " MiB/s, save_cache " << save.back()
                  << " MiB/s, restore_cache " << restore.back() << " MiB/s, tar | tar "
                  << baseline.back() << " MiB/s" << std::endl;
    }
    const double base = summarize(baseline).median;
    const std::string what =
        fixed(mebibytes, 0) + " MiB workspace (" + std::to_string(files) + " files)";
    const std::string baseline_text = fixed(base, 0) + " MiB/s: tar -cf - | tar -xf - of it";
    record("files", what + ": persist_to_workspace", "MiB/s", persist, ">= baseline / 2",
           summarize(persist).median >= base / 2, baseline_text);
    record("files", what + ": attach_workspace", "MiB/s", attach, ">= baseline / 2",
           summarize(attach).median >= base / 2, baseline_text);
    record("files", what + ": save_cache", "MiB/s", save, ">= baseline / 2",
           summarize(save).median >= base / 2, baseline_text);
    record("files", what + ": restore_cache", "MiB/s", restore, ">= baseline / 2",
           summarize(restore).median >= base / 2, baseline_text);
    record("files", "coordinator peak RSS during them", "MiB", coordinator_peaks, "<= 64 MiB",
           summarize(coordinator_peaks).max <= kTargetRssMiB);
    record("files", "agents' peak RSS during them", "MiB", agent_peaks, "<= 64 MiB",
           summarize(agent_peaks).max <= kTargetRssMiB);
    cluster.stop_gracefully();
}

}  // namespace fmg::bench
