// A step prints more than the agent keeps in memory (8 MiB per attempt) while the
// coordinator is down: the agent spools the unacknowledged chunks to its work dir, resends
// them from there after the coordinator is back, and the job's log holds every line once,
// in order. The spool file is gone once everything is acknowledged.

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "tests/support/cluster.h"
#include "tests/support/held_job.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

constexpr std::chrono::seconds kAgentTimeout{30};
// 1..1500000, one per line: 10.9 MB, more than the agent's 8 MiB memory bound.
constexpr int kLines = 1'500'000;

// A step that waits for DIR/go, prints kLines numbered lines, waits for DIR/release and
// prints "done".
std::string chatty_config(const std::filesystem::path& dir) {
    const std::string d = dir.string();
    return R"yaml(version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run:
          name: Chatter
          command: |
            echo "waiting"
            while [ ! -f )yaml" +
           d + R"yaml(/go ]; do sleep 0.02; done
            seq 1 )yaml" +
           std::to_string(kLines) + R"yaml(
            while [ ! -f )yaml" +
           d + R"yaml(/release ]; do sleep 0.02; done
            echo "done"
)yaml";
}

// Checks that the numbered lines of `log` are 1..kLines, each once, in order, with "waiting"
// before and "done" after.
void check_every_line_once(const std::string& log) {
    std::istringstream lines(log);
    std::string line;
    int expected = 1;
    int waiting = 0;
    int done = 0;
    while (std::getline(lines, line)) {
        if (line == "waiting") {
            ++waiting;
            REQUIRE(expected == 1);
        } else if (line == "done") {
            ++done;
            REQUIRE(expected == kLines + 1);
        } else if (!line.empty() && line.find_first_not_of("0123456789") == std::string::npos) {
            if (line != std::to_string(expected)) {  // a gap, a repeat, or out of order
                FAIL("line " << expected << " of the step's output reads " << line);
            }
            ++expected;
        }
    }
    CHECK(expected == kLines + 1);
    CHECK(waiting == 1);
    CHECK(done == 1);
}

// The spool files in an agent's work dir.
size_t spool_files(const std::filesystem::path& work_dir) {
    std::error_code error;
    size_t count = 0;
    for (std::filesystem::directory_iterator it(work_dir / "spool", error), end;
         !error && it != end; it.increment(error)) {
        ++count;
    }
    return count;
}

}  // namespace

TEST_CASE(
    "faults: output past the agent's memory bound while the coordinator is down is spooled to "
    "disk and arrives whole") {
    Cluster cluster(fast_liveness_options());
    const AgentOptions agent = shell_agent_options();
    Process& runner = cluster.start_runner("runner-1", agent);
    const std::filesystem::path work_dir = cluster.dir() / "agents" / "runner-1";
    const std::filesystem::path control = cluster.dir() / "control";
    std::filesystem::create_directories(control);

    GitRepo repo = cluster.make_repo();
    repo.write_config(chatty_config(control));
    const std::string sha = repo.commit("A step that prints 11 MB when told to");
    const int64_t id = cluster.push(repo, sha);
    cluster.wait_until(
        deadline_after(kPipelineTimeout),
        [&] {
            return !job_attempts(cluster.pipeline(id), "build").empty() &&
                   job_log(cluster, id, "build").find("waiting\n") != std::string::npos;
        },
        "the step to start");
    const int64_t attempt_id = int_field(job_attempts(cluster.pipeline(id), "build").back(), "id");

    cluster.kill_coordinator();
    cluster.wait_until(
        deadline_after(kAgentTimeout),
        [&] {
            return runner.stderr_text().find("disconnecting from the coordinator") !=
                   std::string::npos;
        },
        "the agent to notice the coordinator is gone");
    std::ofstream(control / "go").put('\n');
    // Nothing is acknowledged meanwhile: past 8 MiB the chunks go to the spool.
    const auto spool = work_dir / "spool" / ("attempt-" + std::to_string(attempt_id) + ".chunks");
    cluster.wait_until(
        deadline_after(kAgentTimeout), [&] { return std::filesystem::exists(spool); },
        "the agent to spool the step's output to " + spool.string());
    std::ofstream(control / "release").put('\n');
    const std::string finished = "attempt=" + std::to_string(attempt_id) + " finished";
    cluster.wait_until(
        deadline_after(kAgentTimeout),
        [&] { return runner.stderr_text().find(finished) != std::string::npos; },
        "the step to finish while the coordinator is down");
    CHECK(std::filesystem::exists(spool));

    cluster.restart_coordinator();
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    CHECK(string_field(pipeline, "status") == "success");
    const auto attempts = job_attempts(pipeline, "build");
    REQUIRE(attempts.size() == 1);
    CHECK(string_field(attempts[0], "status") == "success");
    check_every_line_once(job_log(cluster, id, "build"));

    // Everything is acknowledged: the spool file went with the attempt.
    cluster.wait_until(
        deadline_after(kAgentTimeout), [&] { return spool_files(work_dir) == 0; },
        "the agent to remove its spool file");
    cluster.stop_gracefully();
}
