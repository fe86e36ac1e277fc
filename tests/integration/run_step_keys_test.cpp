// A run step's `shell`, `background`, `max_auto_reruns` and `auto_rerun_delay`, and a job's
// `shell`, through the real binaries, in Docker (fmg/busybox: /bin/sh, no bash) and with the
// shell executor: the shell named runs the command (given to it as a file); a background
// step runs while later steps see what it does, and is stopped when the job's last step
// ends; a flaky step passes on its second try; a step that always fails is tried 3 times.

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/docker.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

const std::string kConfig = R"yaml(version: 2.1
jobs:
  shells:
    docker:
      - image: fmg/busybox:latest
    shell: /bin/sh -eu
    steps:
      - run:
          name: Job shell
          command: |
            case $- in *u*) echo "nounset is on" ;; esac
      - run:
          name: Own shell
          shell: /bin/sh
          command: |
            case $- in *e*) ;; *) echo "errexit is off" ;; esac
            false
            echo "went on after false"
      - run:
          name: Cat as the shell
          shell: cat
          command: echo "printed, never run"
  background:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run:
          name: Ticker
          background: true
          command: |
            echo "ticker started"
            while true; do echo tick >> ticks.txt; sleep 1; done
      - run:
          name: Quitter
          background: true
          command: exit 3
      - run:
          name: Wait for ticks
          command: |
            # Three ticks: the ticker has run for 2 s, long enough for the quitter's end to
            # be seen before the job's.
            ticks() { [ -f ticks.txt ] && wc -l < ticks.txt || echo 0; }
            i=0
            while [ $(($(ticks))) -lt 3 ] && [ $i -lt 60 ]; do sleep 1; i=$((i+1)); done
            [ $(($(ticks))) -ge 3 ]
            echo "saw the ticker's ticks"
  flaky:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run:
          name: Flaky
          max_auto_reruns: 2
          auto_rerun_delay: 1s
          command: |
            echo x >> tries.txt
            n=$(wc -l < tries.txt)
            echo "flaky try $((n))"
            [ $((n)) -ge 2 ]
  broken:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run:
          name: Always fails
          max_auto_reruns: 2
          command: |
            echo "failing as ever"
            exit 7
workflows:
  main:
    jobs: [shells, background, flaky, broken]
)yaml";

std::string job_log(Cluster& cluster, int64_t id, const std::string& job) {
    const CommandResult log = cluster.fmg({"logs", std::to_string(id), job});
    INFO(log.describe({"fmg", "logs", std::to_string(id), job}));
    CHECK(log.ok());
    return log.out;
}

void check_run_step_keys(const AgentOptions& agent) {
    Cluster cluster;
    cluster.start_runner("runner-1", agent);

    GitRepo repo = cluster.make_repo();
    repo.write_config(kConfig);
    const std::string sha = repo.commit("Shells, background steps and reruns");

    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));

    // shell: the job's (-u) for a step without one, the step's own (no -e) over it, and any
    // program that reads the command from the file it is given.
    const auto shells = find_named(pipeline, "jobs", "shells");
    CHECK(string_field(shells, "status") == "success");
    const std::string shells_log = job_log(cluster, id, "shells");
    CHECK_THAT(shells_log, Catch::Contains("nounset is on\n"));
    CHECK_THAT(shells_log, Catch::Contains("errexit is off\nwent on after false\n"));
    CHECK_THAT(shells_log, Catch::Contains("echo \"printed, never run\"\n"));
    CHECK_THAT(shells_log, !Catch::Contains("\nprinted, never run\n"));

    // background: the ticker runs while the next step waits for it, and is stopped at the
    // end; a background step's failure does not fail the job.
    const auto background = find_named(pipeline, "jobs", "background");
    CHECK(string_field(background, "status") == "success");
    CHECK(string_field(find_named(background, "steps", "Ticker"), "status") == "success");
    CHECK(string_field(find_named(background, "steps", "Quitter"), "status") == "failed");
    CHECK(string_field(find_named(background, "steps", "Wait for ticks"), "status") == "success");
    const std::string background_log = job_log(cluster, id, "background");
    CHECK_THAT(background_log, Catch::Contains("fmg: running in the background: Ticker\n"));
    CHECK_THAT(background_log, Catch::Contains("ticker started\n"));
    CHECK_THAT(background_log, Catch::Contains("saw the ticker's ticks\n"));
    CHECK_THAT(background_log,
               Catch::Contains("fmg: background step exited with code 3 (the job goes on): "
                               "Quitter\n"));
    CHECK_THAT(background_log,
               Catch::Contains("fmg: background step stopped at the job's end: Ticker\n"));

    // max_auto_reruns: the flaky step passes on its second try, after the delay.
    const auto flaky = find_named(pipeline, "jobs", "flaky");
    CHECK(string_field(flaky, "status") == "success");
    CHECK(string_field(find_named(flaky, "steps", "Flaky"), "status") == "success");
    const std::string flaky_log = job_log(cluster, id, "flaky");
    CHECK_THAT(flaky_log, Catch::Contains("flaky try 1\n"
                                          "fmg: try 1 of 3 failed (exit code 1); running it "
                                          "again in 1s\n"
                                          "fmg: try 2 of 3: Flaky\n"
                                          "flaky try 2\n"));
    CHECK_THAT(flaky_log, !Catch::Contains("flaky try 3"));

    // ... and one that always fails is tried 1 + 2 times, its last exit code the step's.
    const auto broken = find_named(pipeline, "jobs", "broken");
    CHECK(string_field(broken, "status") == "failed");
    const auto always_fails = find_named(broken, "steps", "Always fails");
    CHECK(string_field(always_fails, "status") == "failed");
    CHECK(optional_int(always_fails, "exit_code") == 7);
    const std::string broken_log = job_log(cluster, id, "broken");
    CHECK_THAT(broken_log, Catch::Contains("fmg: try 2 of 3: Always fails\n"));
    CHECK_THAT(broken_log, Catch::Contains("fmg: try 3 of 3: Always fails\n"
                                           "failing as ever\n"
                                           "fmg: try 3 of 3 failed (exit code 7); "
                                           "max_auto_reruns spent, the step failed\n"));
    CHECK(string_field(pipeline, "status") == "failed");
}

}  // namespace

TEST_CASE("e2e: run step shell, background and max_auto_reruns in Docker") {
    require_docker();
    check_run_step_keys(AgentOptions{});
}

TEST_CASE("e2e: run step shell, background and max_auto_reruns in the shell executor") {
    check_run_step_keys(shell_agent_options());
}
