// A step printing far faster than the coordinator stores, with the coordinator up: the agent
// holds back the step (flow control, PROTOCOL.md 9.7) instead of piling the output up in
// memory and in its send queue. The job runs once, its log is every line once in order, and
// the connected agent never needs its disk spool nor drops a frame.

#include <catch2/catch.hpp>
#include <sstream>

#include "tests/support/cluster.h"
#include "tests/support/held_job.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

// 1..8000000, one per line: 63.9 MB, eight times the agent's in-memory bound per attempt.
constexpr int kLines = 8'000'000;

const std::string kFloodConfig = R"yaml(version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run:
          name: Flood
          command: seq 1 )yaml" + std::to_string(kLines) +
                                 "\n";

bool spool_exists(const std::filesystem::path& work_dir) {
    std::error_code error;
    std::filesystem::directory_iterator it(work_dir / "spool", error);
    return !error && it != std::filesystem::directory_iterator();
}

}  // namespace

TEST_CASE("logs: a step printing 64 MB at full speed is held back, not spooled, and runs once") {
    ClusterOptions options;
    options.coordinator_args = {"--log-cap", std::to_string(256 * 1024 * 1024)};
    Cluster cluster(options);
    const AgentOptions agent = shell_agent_options();
    Process& runner = cluster.start_runner("runner-1", agent);
    const std::filesystem::path work_dir = cluster.dir() / "agents" / "runner-1";

    GitRepo repo = cluster.make_repo();
    repo.write_config(kFloodConfig);
    const int64_t id = cluster.push(repo, repo.commit("A step that prints 64 MB"));
    bool spooled = false;
    cluster.wait_until(
        deadline_after(kPipelineTimeout),
        [&] {
            spooled = spooled || spool_exists(work_dir);
            return string_field(cluster.pipeline(id), "status") != "queued" &&
                   string_field(cluster.pipeline(id), "status") != "running";
        },
        "the flooding job to end");

    const auto pipeline = cluster.pipeline(id);
    INFO(to_json(pipeline) << "\n" << tail_files(cluster.log_files()));
    REQUIRE(string_field(pipeline, "status") == "success");
    CHECK(job_attempts(pipeline, "build").size() == 1);
    CHECK_FALSE(spooled);
    CHECK_THAT(runner.stderr_text(), !Catch::Contains("send queue to the coordinator is full"));
    CHECK_THAT(runner.stderr_text(), !Catch::Contains("no ack for"));

    const std::string log = job_log(cluster, id, "build");
    std::istringstream lines(log);
    std::string line;
    int expected = 1;
    while (std::getline(lines, line)) {
        if (line.empty() || line.find_first_not_of("0123456789") != std::string::npos) continue;
        if (line != std::to_string(expected)) FAIL("line " << expected << " reads " << line);
        ++expected;
    }
    CHECK(expected == kLines + 1);
}
