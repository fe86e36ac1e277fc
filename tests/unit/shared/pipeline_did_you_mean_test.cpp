// A mistyped key, step, job or required job is an error at its place that names the close
// known one ("did you mean"), and only a close one.

#include <catch2/catch.hpp>
#include <string>

#include "tests/unit/shared/pipeline_test_helpers.h"

using namespace fmg::pipeline;
using namespace fmg::pipeline::testing;

namespace {

std::string job_with(const std::string& job_body) {
    return "version: 2\njobs:\n  build:\n    docker: [{image: alpine}]\n" + job_body;
}

}  // namespace

TEST_CASE("a mistyped key names the key it is close to, at its place") {
    ParseError error = parse_error(job_with("    steps:\n      - run: {comand: make}\n"));
    INFO(error.to_string());
    CHECK(error.line == 6);
    CHECK(error.column == 15);
    CHECK_THAT(error.message, Catch::StartsWith("unknown key `comand` in a run step (did you "
                                                "mean `command`?) (expected command, name"));

    // Case, swapped letters and `-` for `_` are typos too.
    CHECK_THAT(parse_error(job_with("    steps: [checkout]\n    Parallelism: 2\n")).message,
               Catch::Contains("did you mean `parallelism`?"));
    CHECK_THAT(parse_error(job_with("    steps: [checkout]\n    wokring_directory: /w\n")).message,
               Catch::Contains("did you mean `working_directory`?"));
    CHECK_THAT(parse_error(job_with("    steps: [checkout]\n    resource-class: large\n")).message,
               Catch::Contains("did you mean `resource_class`?"));
}

TEST_CASE("a key close to nothing known gets the list alone") {
    const ParseError error = parse_error(job_with("    steps: [checkout]\n    env: {A: b}\n"));
    CHECK_THAT(error.message, Catch::Contains("unknown key `env` in job `build` (expected"));
    CHECK_THAT(error.message, !Catch::Contains("did you mean"));
    CHECK_THAT(parse_error(job_with("    steps: [checkout]\n    x: 1\n")).message,
               !Catch::Contains("did you mean"));
}

TEST_CASE("a mistyped step, job or required job names the close one") {
    CHECK_THAT(parse_error(job_with("    steps: [chekout]\n")).message,
               Catch::StartsWith("unknown step `chekout` (did you mean `checkout`?)"));
    CHECK_THAT(parse_error(job_with("    steps: [{store_artifact: {path: a}}]\n")).message,
               Catch::Contains("did you mean `store_artifacts`?"));
    const std::string two_jobs = job_with("    steps: [checkout]\n") +
                                 "  test: {docker: [{image: alpine}], steps: [checkout]}\n";
    CHECK_THAT(parse_error(two_jobs + "workflows:\n  ci:\n    jobs: [biuld]\n").message,
               Catch::Contains("which `jobs` does not define (did you mean `build`?)"));
    CHECK_THAT(parse_error(two_jobs +
                           "workflows:\n  ci:\n    jobs: [build, {test: {requires: [buidl]}}]\n")
                   .message,
               Catch::Contains("not a job of workflow `ci` (did you mean `build`?)"));
}

TEST_CASE("2.1: a mistyped command or orb job names the close one") {
    const std::string config = R"(version: 2.1
orbs:
  tools:
    commands:
      lint: {steps: [{run: lint}]}
    jobs:
      check: {docker: [{image: alpine}], steps: [checkout]}
commands:
  install: {steps: [{run: make install}]}
jobs:
  build:
    docker: [{image: alpine}]
    steps: [checkout, )";
    CHECK_THAT(parse_error(config + "instal]\n").message,
               Catch::Contains("unknown step `instal` (did you mean `install`?)"));
    CHECK_THAT(parse_error(config + "tools/lnit]\n").message,
               Catch::Contains("unknown step `tools/lnit` (did you mean `tools/lint`?)"));
    CHECK_THAT(
        parse_error(config + "install]\nworkflows:\n  ci:\n    jobs: [tools/chekc]\n").message,
        Catch::Contains("which no imported orb defines (did you mean `tools/check`?)"));
}

TEST_CASE("2.1: a misspelt top-level key is an error, not an anchor holder dropped") {
    const std::string jobs = "jobs:\n  build: {docker: [{image: a}], steps: [checkout]}\n";
    ParseError error =
        parse_error("version: 2.1\n" + jobs + "workflow:\n  ci:\n    jobs: [build]\n");
    CHECK(error.line == 4);
    CHECK_THAT(error.message, Catch::StartsWith("unknown top-level key `workflow` (did you mean "
                                                "`workflows`?"));
    CHECK_THAT(parse_error("version: 2.1\nexecutor:\n  e: {docker: [{image: a}]}\n" + jobs).message,
               Catch::Contains("did you mean `executors`?"));
    // Keys that only hold anchors are still ignored.
    CHECK(only_job(parse_ok("version: 2.1\nreferences:\n  x: &x 1\n" + jobs)).name == "build");
}
