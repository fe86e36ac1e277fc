// The commands CircleCI provides in every job, as a real config uses them, through the real
// binaries (coordinator, agent, fmg-circleci) in Docker and with the shell executor:
// `circleci tests glob "**/*.txt" | circleci tests split` prints the node's share of the
// checked-out files, and `circleci-agent step halt` ends the job successfully after its
// step, the later steps (a `when: always` one included) never running.

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/docker.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

// The split job's node is 1 of 2 (CIRCLE_NODE_INDEX and CIRCLE_NODE_TOTAL, as CircleCI sets
// them for `parallelism: 2`); the halt job runs as the image's non-root user in Docker.
const std::string kConfig = R"(version: 2.1
jobs:
  split:
    docker:
      - image: fmg/busybox:latest
    environment:
      CIRCLE_NODE_INDEX: "1"
      CIRCLE_NODE_TOTAL: "2"
    steps:
      - checkout
      - run:
          name: Glob
          command: |
            circleci tests glob "**/*.txt" "docs/{guide,missing}.md" | sed 's/^/glob: /'
      - run:
          name: Split
          command: |
            circleci tests glob "**/*.txt" | circleci tests split | sed 's/^/node 1: /'
      - run:
          name: Split node 0 by size
          command: |
            circleci tests glob "**/*.txt" |
              circleci tests split --split-by=filesize --index 0 | sed 's/^/node 0: /'
  halt:
    docker:
      - image: fmg/busybox-user:latest
    steps:
      - run:
          name: Before
          command: echo "before the halt"
      - run:
          name: Halt
          command: |
            circleci-agent step halt
            echo "the halting step runs to its end"
      - run:
          name: Never
          command: echo "this must not run"
      - run:
          name: Not even always
          when: always
          command: echo "nor must this"
workflows:
  main:
    jobs:
      - split
      - halt:
          requires: [split]
)";

void check_circleci_commands(const AgentOptions& agent) {
    Cluster cluster;
    cluster.start_runner("runner-1", agent);

    GitRepo repo = cluster.make_repo();
    repo.write_file("README.md", "readme\n");
    repo.write_file("a.txt", "a\n");
    repo.write_file("docs/guide.md", "guide\n");
    repo.write_file("docs/b.txt", std::string(3000, 'b'));
    repo.write_file("docs/deep/c.txt", std::string(2000, 'c'));
    repo.write_file("src/d.txt", std::string(1000, 'd'));
    repo.write_config(kConfig);
    const std::string sha = repo.commit("Split tests and halt");

    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    CHECK(string_field(pipeline, "status") == "success");

    const CommandResult split_log = cluster.fmg({"logs", std::to_string(id), "split"});
    INFO(split_log.describe({"fmg", "logs", std::to_string(id), "split"}));
    CHECK_THAT(split_log.out, Catch::Contains("glob: a.txt\n"
                                              "glob: docs/b.txt\n"
                                              "glob: docs/deep/c.txt\n"
                                              "glob: docs/guide.md\n"
                                              "glob: src/d.txt\n"));
    // By name: a.txt docs/b.txt | docs/deep/c.txt src/d.txt.
    CHECK_THAT(split_log.out, Catch::Contains("node 1: docs/deep/c.txt\nnode 1: src/d.txt\n"));
    CHECK_THAT(split_log.out, !Catch::Contains("node 1: a.txt"));
    // By size: b (3000) -> 0; c (2000) -> 1; d (1000) -> 1; a (2) -> 0.
    CHECK_THAT(split_log.out, Catch::Contains("node 0: a.txt\nnode 0: docs/b.txt\n"));

    const auto halt_job = find_named(pipeline, "jobs", "halt");
    CHECK(string_field(halt_job, "status") == "success");
    CHECK(string_field(find_named(halt_job, "steps", "Before"), "status") == "success");
    CHECK(string_field(find_named(halt_job, "steps", "Halt"), "status") == "success");
    for (const char* skipped : {"Never", "Not even always"}) {
        INFO(skipped);
        const auto step = find_named(halt_job, "steps", skipped);
        CHECK(string_field(step, "status") != "success");
        CHECK_FALSE(optional_int(step, "exit_code"));
    }
    const CommandResult halt_log = cluster.fmg({"logs", std::to_string(id), "halt"});
    INFO(halt_log.describe({"fmg", "logs", std::to_string(id), "halt"}));
    CHECK_THAT(halt_log.out, Catch::Contains("before the halt\n"
                                             "the halting step runs to its end\n"
                                             "fmg: the step ran 'circleci-agent step halt': no "
                                             "further step runs\n"));
    CHECK_THAT(halt_log.out, !Catch::Contains("this must not run"));
    CHECK_THAT(halt_log.out, !Catch::Contains("nor must this"));
}

}  // namespace

TEST_CASE("e2e: circleci tests glob | split and circleci-agent step halt in Docker") {
    require_docker();
    check_circleci_commands(AgentOptions{});
}

TEST_CASE("e2e: circleci tests glob | split and circleci-agent step halt in the shell executor") {
    check_circleci_commands(shell_agent_options());
}
