// `fmg logs --follow` shows a running job's output as it is produced and ends with the job.

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

// Prints "first", waits for the test to create FLAG, prints "second".
std::string waiting_config(const std::filesystem::path& flag) {
    return R"(version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run:
          name: Wait for the test
          command: |
            echo first
            while [ ! -f )" +
           flag.string() + R"( ]; do sleep 0.1; done
            echo second
)";
}

}  // namespace

TEST_CASE("e2e: fmg logs --follow prints lines while the job runs and ends with it") {
    Cluster cluster;
    // the step waits on a file the test creates
    const AgentOptions agent = shell_agent_options();
    cluster.start_runner("runner-1", agent);

    const auto flag = cluster.dir() / "may-print-second";
    GitRepo repo = cluster.make_repo();
    repo.write_config(waiting_config(flag));
    const std::string sha = repo.commit("A step that waits");

    const int64_t id = cluster.push(repo, sha);
    cluster.wait_for_job_status(id, "build", "running");
    Process& follow = cluster.start_fmg("follow", {"logs", std::to_string(id), "--follow"});

    cluster.wait_until(
        deadline_after(std::chrono::seconds(60)),
        [&] { return follow.stdout_text().find("first\n") != std::string::npos; },
        "`fmg logs --follow` to print the step's first line");
    CHECK(follow.running());
    CHECK_THAT(follow.stdout_text(), !Catch::Contains("second"));

    std::ofstream(flag) << "go\n";
    const auto ended = follow.wait_for(deadline_after(std::chrono::seconds(60)));
    INFO(tail_files(cluster.log_files()));
    REQUIRE(ended);  // the stream ends when the job ends
    CHECK(ended->exited_with(0));
    const std::string out = follow.stdout_text();
    const auto first = out.find("first\n");
    const auto second = out.find("second\n");
    REQUIRE(second != std::string::npos);
    CHECK(first < second);
    CHECK(out.find("first\n", first + 1) == std::string::npos);  // each line once

    CHECK(string_field(cluster.wait_for_final(id), "status") == "success");
}
