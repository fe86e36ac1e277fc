// Every way a config is refused, with the position a user is pointed at (1-based).

#include <catch2/catch.hpp>
#include <string>

#include "tests/unit/shared/pipeline_test_helpers.h"

using namespace fmg::pipeline;
using namespace fmg::pipeline::testing;

namespace {

void check_error(std::string_view yaml, int line, int column, std::string_view message_part) {
    const ParseError error = parse_error(yaml);
    INFO(error.to_string());
    CHECK(error.file == ".circleci/config.yml");
    CHECK(error.line == line);
    CHECK(error.column == column);
    CHECK_THAT(error.message, Catch::Contains(std::string(message_part)));
}

// A valid job body, for configs whose problem is elsewhere.
constexpr std::string_view kJobs = R"(jobs:
  build:
    docker: [{image: alpine}]
    steps: [checkout]
  test:
    docker: [{image: alpine}]
    steps: [checkout]
)";

std::string with_jobs(std::string_view rest) {
    return "version: 2\n" + std::string(kJobs) + std::string(rest);
}

}  // namespace

TEST_CASE("version: only 2, 2.0 and 2.1, and it must be there") {
    check_error("version: 3\njobs: {}\n", 1, 10, "`version` must be 2, 2.0 or 2.1, not `3`");
    check_error("version: 2.2\n" + std::string(kJobs), 1, 10, "must be 2, 2.0 or 2.1");
    check_error("version: [2]\n" + std::string(kJobs), 1, 10, "must be a string");
    check_error(std::string(kJobs), 1, 1, "missing `version`");
}

TEST_CASE("the top level: a map with jobs, and unknown and unsupported keys") {
    check_error("version: 2.1\n", 1, 1, "missing `jobs`");
    check_error("- version: 2\n", 1, 1, "the config must be a map");
    check_error("version: 2.1\njobs: {}\n", 2, 7, "`jobs` defines no job");
    check_error(with_jobs("workflow:\n  w: {jobs: [build]}\n"), 9, 1,
                "unknown top-level key `workflow` (did you mean `workflows`?");
    check_error(with_jobs("job:\n  x: {}\n"), 9, 1, "(did you mean `jobs`?");
    check_error(with_jobs("verison: 2\n"), 9, 1, "(did you mean `version`?");
    check_error("version: 2.1\norbs:\n  node: circleci/node@5\n" + std::string(kJobs), 3, 9,
                "orb `circleci/node@5` is a registry orb, which fmg cannot download: give an orb "
                "directory (--orb-dir DIR) holding its source as DIR/circleci/node@5.yml");
    check_error("version: 2\norbs:\n  node: circleci/node@5\n" + std::string(kJobs), 2, 1,
                "`orbs` needs `version: 2.1`");
}

TEST_CASE("YAML syntax errors point where yaml-cpp stopped") {
    check_error("version: 2\njobs:\n  build: [a\n", 4, 1, "invalid YAML");
    check_error("version: 2\n  jobs: x\n", 2, 7, "invalid YAML");
    check_error("version: 2\n" + std::string(kJobs) + "  build:\n    docker: []\n", 9, 3,
                "duplicate key `build` in `jobs` (first at line 3)");
}

TEST_CASE("jobs need docker images, steps and known keys") {
    check_error("version: 2\njobs:\n  build:\n    steps: [checkout]\n", 3, 3,
                "job `build` has no `docker` image");
    check_error("version: 2\njobs:\n  build:\n    docker: [{image: a}]\n", 3, 3,
                "job `build` has no `steps`");
    check_error("version: 2\njobs:\n  build:\n    docker: alpine\n    steps: [checkout]\n", 4, 13,
                "`docker` must be a list");
    check_error("version: 2\njobs:\n  build:\n    docker: []\n    steps: [checkout]\n", 4, 13,
                "`docker` lists no image");
    check_error("version: 2\njobs:\n  build:\n    docker:\n      - name: db\n    steps: []\n", 5, 9,
                "a `docker` item needs an `image`");
    check_error("version: 2\njobs:\n  build:\n    docker:\n      - {}\n    steps: [checkout]\n", 5,
                9, "needs an `image`");
    check_error("version: 2\njobs:\n  build:\n    executor: linux\n    steps: [checkout]\n", 4, 5,
                "`executor` in job `build` is not supported by fmg");
    check_error(
        "version: 2\njobs:\n  build:\n    docker: [{image: a}]\n    shell: ''\n    steps: [x]\n", 5,
        12, "`shell` is empty");
    check_error("version: 2\njobs:\n  build:\n    docker: [{image: a}]\n    stpes: [checkout]\n", 5,
                5, "unknown key `stpes` in job `build`");
    check_error("version: 2\njobs:\n  build:\n    docker: [{image: a}]\n    steps: []\n", 5, 12,
                "`steps` is empty");
    check_error("version: 2\njobs:\n  my/build:\n    docker: [{image: a}]\n    steps: [x]\n", 3, 3,
                "may not contain slashes or control characters");
    check_error("version: 2\njobs:\n  \" build\":\n    docker: [{image: a}]\n    steps: [x]\n", 3,
                3, "may not start or end with a space");
}

TEST_CASE("unknown steps are refused by name, and malformed steps say why") {
    const std::string job = "version: 2\njobs:\n  build:\n    docker: [{image: a}]\n    steps:\n";
    check_error(job + "      - checkout\n      - save_cache:\n          key: v1\n", 7, 9,
                "`save_cache` needs `paths`");
    check_error(job + "      - restore_cache: {}\n", 6, 9,
                "`restore_cache` needs a `key` or `keys`");
    check_error(job + "      - persist_to_workspace: {root: .}\n", 6, 9,
                "`persist_to_workspace` needs `paths`");
    check_error(job + "      - attach_workspace: {}\n", 6, 9, "`attach_workspace` needs `at`");
    check_error(job + "      - store_artifacts: {destination: x}\n", 6, 9,
                "`store_artifacts` needs a `path`");
    check_error(job + "      - store_test_results: {path: r, paths: [x]}\n", 6, 39,
                "unknown key `paths` in a `store_test_results` step (did you mean `path`?) "
                "(expected name, path)");
    check_error(job + "      - node/install-packages\n", 6, 9,
                "unknown step `node/install-packages` (CircleCI's steps are checkout, run");
    check_error(job + "      - node/install-packages\n", 6, 9, "need `version: 2.1`");
    check_error(job + "      - [run]\n", 6, 9, "a step must be");
    check_error(job + "      - run\n", 6, 9, "`run` needs a command");
    check_error(job + "      - run:\n", 6, 9, "`run` needs a command");
    check_error(job + "      - run:\n        name: x\n        command: y\n", 7, 9,
                "`name` belongs under it (check the indentation)");
    check_error(job + "      - run:\n          name: Tests\n", 7, 11, "needs a `command`");
    check_error(job + "      - run:\n          command: \"  \"\n", 7, 20, "`command` is empty");
    check_error(job + "      - run:\n          command: x\n          shell: \" \"\n", 8, 18,
                "`shell` is empty");
    check_error(job + "      - run:\n          command: x\n          background: maybe\n", 8, 23,
                "`background` must be true or false, not `maybe`");
    check_error(job + "      - run:\n          command: x\n          max_auto_reruns: 6\n", 8, 28,
                "`max_auto_reruns` must be a whole number from 1 to 5, not `6`");
    check_error(job + "      - run:\n          command: x\n          max_auto_reruns: 0\n", 8, 28,
                "from 1 to 5, not `0`");
    check_error(job + "      - run:\n          command: x\n          max_auto_reruns: two\n", 8, 28,
                "from 1 to 5, not `two`");
    check_error(job +
                    "      - run:\n          command: x\n          max_auto_reruns: 2\n"
                    "          auto_rerun_delay: 11m\n",
                9, 29, "`auto_rerun_delay` must be at most 10m, not `11m`");
    check_error(job +
                    "      - run:\n          command: x\n          max_auto_reruns: 2\n"
                    "          auto_rerun_delay: 10\n",
                9, 29, "a number needs a unit");
    check_error(job + "      - run:\n          command: x\n          auto_rerun_delay: 10s\n", 8,
                11, "`auto_rerun_delay` needs `max_auto_reruns` in the same run step");
    check_error(job +
                    "      - run:\n          command: x\n          background: true\n"
                    "          max_auto_reruns: 2\n",
                9, 11, "a `background: true` step is not rerun");
    check_error(job + "      - run:\n          command: x\n          nmae: y\n", 8, 11,
                "unknown key `nmae` in a run step");
    check_error(job + "      - run:\n          command: x\n          when: never\n", 8, 17,
                "`when` must be on_success, on_fail or always, not `never`");
    check_error(job + "      - run:\n          command: x\n          no_output_timeout: 10x\n", 8,
                30, "invalid duration \"10x\": unknown unit");
    check_error(job + "      - run:\n          command: x\n          no_output_timeout: 90\n", 8,
                30, "a number needs a unit");
    check_error(job + "      - run:\n          command: x\n          no_output_timeout: 0s\n", 8,
                30, "must be more than 0 and at most 24h");
    check_error(job + "      - run:\n          command: x\n          no_output_timeout: 25h\n", 8,
                30, "at most 24h");
    check_error(job + "      - checkout:\n          into: src\n", 7, 11,
                "unknown key `into` in a checkout step");
    check_error(job + "      - checkout:\n          path: ../src\n", 7, 17,
                "checkout `path` must be relative to the job's working_directory and stay under "
                "it (no `..`), not `../src`");
    check_error(job + "      - checkout:\n          path: /src\n", 7, 17, "not `/src`");
    check_error(job + "      - checkout:\n          path: a/../../b\n", 7, 17, "no `..`");
    check_error(job + "      - checkout:\n          method: shallow\n", 7, 19,
                "checkout `method` must be blobless or full");
}

TEST_CASE("environment names must be exportable and values scalars") {
    const std::string job =
        "version: 2\njobs:\n  build:\n    docker: [{image: a}]\n"
        "    steps: [checkout]\n    environment:\n";
    check_error(job + "      1ST: x\n", 7, 7, "environment variable name `1ST` is not valid");
    check_error(job + "      A-B: x\n", 7, 7, "`A-B` is not valid");
    check_error(job + "      EMPTY:\n", 7, 7, "`EMPTY` has no value");
    check_error(job + "      LIST: [a, b]\n", 7, 13, "`LIST` must be a string, but it is a list");
    check_error(job + "      MAP: {a: b}\n", 7, 12, "`MAP` must be a string, but it is a map");
    check_error(job + "      - NO_EQUALS\n", 7, 9,
                "an `environment` item must be NAME=value or a map NAME: value, not `NO_EQUALS`");
    check_error(job + "      - 1ST=x\n", 7, 9, "environment variable name `1ST` is not valid");
    check_error(job + "      - [a, b]\n", 7, 9, "an `environment` item must be a string");
    check_error(job + "      - A: [x]\n", 7, 12, "`A` must be a string, but it is a list");
    check_error(job + "      x\n", 7, 7, "`environment` must be a map");
    std::string too_many;
    for (int i = 0; i <= 1024; ++i) too_many += "      - V" + std::to_string(i) + "=x\n";
    check_error(job + too_many, 6, 5, "`environment` has more than 1024 variables");
    check_error(
        "version: 2\njobs:\n  build:\n    docker:\n      - image: a\n"
        "      - image: db\n        environment: {POSTGRES-PASSWORD: x}\n"
        "    steps: [checkout]\n",
        7, 23, "environment variable name `POSTGRES-PASSWORD` is not valid");
}

TEST_CASE("workflows name defined jobs, each once in its workflow") {
    check_error(with_jobs("workflows:\n  ci:\n    jobs: [build, deploy]\n"), 11, 19,
                "workflow `ci` runs job `deploy`, which `jobs` does not define");
    check_error(with_jobs("workflows:\n  ci:\n    jobs: [build, build]\n"), 11, 19,
                "job name `build` is used twice in workflow `ci` (first at line 11): give one a "
                "`name:`");
    check_error(with_jobs("workflows:\n  ci:\n    jobs:\n      - build\n      - test:\n"
                          "          name: build\n"),
                14, 17, "job name `build` is used twice");
    check_error(with_jobs("workflows:\n  version: 2\n"), 9, 1, "`workflows` declares no workflow");
    check_error(with_jobs("workflows:\n  ci:\n    jobs: []\n"), 11, 11, "`jobs` lists no job");
    check_error(with_jobs("workflows:\n  ci:\n    steps: [build]\n"), 11, 5,
                "unknown key `steps` in workflow `ci`");
    check_error(with_jobs("workflows:\n  ci:\n    triggers: []\n    jobs: [build]\n"), 11, 15,
                "`triggers` lists no `schedule`");
    check_error(with_jobs("workflows:\n  ci:\n    jobs:\n      - hold:\n          type: manual\n"),
                13, 17, "`type` of a workflow job must be `approval`, not `manual`");
    check_error(
        with_jobs("workflows:\n  ci:\n    jobs:\n      - build:\n        requires: [test]\n"), 13,
        9, "`requires` belongs under `build`");
    check_error(
        with_jobs("workflows:\n  ci:\n    jobs:\n      - build:\n          needs: [test]\n"), 13,
        11, "unknown key `needs` in workflow job `build`");
}

TEST_CASE("requires name jobs of the same workflow, without cycles") {
    check_error(with_jobs("workflows:\n  ci:\n    jobs:\n      - build:\n"
                          "          requires: [lint]\n"),
                13, 22, "`build` requires `lint`, which is not a job of workflow `ci`");
    check_error(with_jobs("workflows:\n  one:\n    jobs: [build]\n  two:\n    jobs:\n"
                          "      - test:\n          requires: [build]\n"),
                15, 22, "which is in workflow `one`; requires only work within one workflow");
    check_error(with_jobs("workflows:\n  ci:\n    jobs:\n      - build:\n"
                          "          requires: [test]\n      - test:\n          requires:\n"
                          "            - build\n"),
                16, 15, "requires form a cycle: `build` -> `test` -> `build`");
    check_error(with_jobs("workflows:\n  ci:\n    jobs:\n      - build:\n"
                          "          requires: [build]\n"),
                13, 22, "requires form a cycle: `build` -> `build`");
    check_error(with_jobs("workflows:\n  ci:\n    jobs:\n      - build:\n"
                          "          requires: build\n"),
                13, 21, "`requires` must be a list");
}

TEST_CASE("without workflows there must be a job named build") {
    check_error("version: 2\njobs:\n  test:\n    docker: [{image: a}]\n    steps: [checkout]\n", 2,
                1, "without `workflows`, fmg runs the job `build`");
}

TEST_CASE("filters: known keys and valid regexes") {
    const std::string entry =
        with_jobs("workflows:\n  ci:\n    jobs:\n      - build:\n          filters:\n");
    check_error(entry + "            branch: {only: main}\n", 14, 13,
                "unknown key `branch` in `filters`");
    check_error(entry + "            branches: {only: main, except: dev}\n", 14, 36,
                "unknown key `except` in `branches`");
    check_error(entry + "            branches: {only: /feat(/}\n", 14, 30,
                "invalid regular expression /feat(/");
    check_error(entry +
                    "            tags:\n              only:\n                - v1\n"
                    "                - /((a?){100}){99}/\n",
                17, 19, "regular expression too complex");
    check_error(entry + "            branches: {only: []}\n", 14, 30, "`only` is empty");
    check_error(entry + "            tags: {ignore: [{a: b}]}\n", 14, 29,
                "each item of `ignore` must be a string");
}

TEST_CASE("setup: true is refused in 2.0 and 2.1 configs, setup: false is an ordinary config") {
    for (const char* version : {"2", "2.1"}) {
        INFO("version " << version);
        const std::string jobs = "jobs:\n  build: {docker: [{image: alpine}], steps: [checkout]}\n";
        const std::string yaml = std::string("version: ") + version + "\nsetup: true\n" + jobs;
        auto result = parse_config(yaml, ".circleci/config.yml", RefContext{});
        const auto* error = std::get_if<ParseError>(&result);
        REQUIRE(error != nullptr);
        CHECK(error->line == 2);
        CHECK_THAT(error->message, Catch::Contains("`setup: true` (dynamic configuration"));
        const std::string plain = std::string("version: ") + version + "\nsetup: false\n" + jobs;
        CHECK(std::holds_alternative<Config>(
            parse_config(plain, ".circleci/config.yml", RefContext{})));
    }
}

TEST_CASE("job-groups is refused, not ignored like an anchor holder") {
    for (const char* version : {"2", "2.1"}) {
        INFO("version " << version);
        const std::string yaml = std::string("version: ") + version +
                                 "\njob-groups:\n  deploy: {jobs: [build]}\njobs:\n  build: "
                                 "{docker: [{image: alpine}], steps: [checkout]}\n";
        const ParseError error = parse_error(yaml);
        CHECK(error.line == 2);
        CHECK_THAT(error.message, Catch::StartsWith("`job-groups` (jobs serialized as one unit)"));
    }
}

TEST_CASE("a job's retention of caches is whole days from 1d to 30d") {
    const auto with_retention = [](const std::string& days) {
        return "version: 2\njobs:\n  build:\n    docker: [{image: alpine}]\n    retention: "
               "{caches: " +
               days + "}\n    steps: [checkout]\n";
    };
    CHECK(only_job(parse_ok(with_retention("7d"))).cache_retention_days == 7);
    CHECK(only_job(parse_ok(with_retention("30d"))).cache_retention_days == 30);
    for (const char* bad : {"0d", "31d", "7", "d", "7h", "-1d", "99999d", "[7d]"}) {
        INFO(bad);
        const ParseError error = parse_error(with_retention(bad));
        CHECK(error.line == 5);
        CHECK_THAT(error.message, Catch::Contains("caches"));
    }
}
