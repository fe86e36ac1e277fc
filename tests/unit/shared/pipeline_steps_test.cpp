// Steps: checkout, run as a string or a map, `when`, and CircleCI durations.

#include <catch2/catch.hpp>

#include "shared/pipeline/durations.h"
#include "tests/unit/shared/pipeline_test_helpers.h"

using namespace fmg::pipeline;
using namespace fmg::pipeline::testing;

namespace {

// The steps of a `build` job with `steps_yaml` (indented list items) as its steps.
std::vector<Step> steps_of(const std::string& steps_yaml) {
    const Config config = parse_ok(
        "version: 2\njobs:\n  build:\n    docker: [{image: a}]\n"
        "    working_directory: /work\n    steps:\n" +
        steps_yaml);
    return only_job(config).steps;
}

Step one_step(const std::string& steps_yaml) {
    const auto steps = steps_of(steps_yaml);
    REQUIRE(steps.size() == 1);
    return steps.front();
}

}  // namespace

TEST_CASE("run as a string: the command, named after its first line") {
    const Step step = one_step("      - run: make test\n");
    CHECK(step.kind == StepKind::run);
    CHECK(step.command == "make test");
    CHECK(step.name == "make test");
    CHECK(step.when == StepWhen::on_success);
    CHECK_FALSE(step.no_output_timeout_ms);
    CHECK(step.working_directory.empty());
    CHECK(step.environment.empty());
}

TEST_CASE("a multi-line command is named after its first non-blank line, trimmed") {
    const Step step = one_step(
        "      - run: |\n\n          \t ./configure --prefix=/usr  \n"
        "          make\n");
    CHECK(step.command == "\n\t ./configure --prefix=/usr  \nmake\n");
    CHECK(step.name == "./configure --prefix=/usr");
}

TEST_CASE("a long first line makes a name of at most 80 bytes, not cutting a character") {
    const std::string long_line = "echo " + std::string(74, 'x') + "\xC3\xA9\xC3\xA9";  // é é
    const Step step = one_step("      - run: \"" + long_line + "\"\n");
    CHECK(step.command == long_line);
    CHECK(step.name == "echo " + std::string(74, 'x'));  // 79 bytes: é would need 81
}

TEST_CASE("run as a map: every field") {
    const Step step = one_step(R"(      - run:
          name: Integration tests
          command: ./run-tests.sh --slow
          environment:
            RETRIES: 3
            VERBOSE: false
          working_directory: tests
          no_output_timeout: 1h30m
          when: on_fail
)");
    CHECK(step.kind == StepKind::run);
    CHECK(step.name == "Integration tests");
    CHECK(step.command == "./run-tests.sh --slow");
    CHECK(step.environment == Environment{{"RETRIES", "3"}, {"VERBOSE", "false"}});
    CHECK(step.working_directory == "tests");
    CHECK(step.no_output_timeout_ms == 90 * 60 * 1000);
    CHECK(step.when == StepWhen::on_fail);
}

TEST_CASE("a map run without a name is named after its command") {
    const Step step = one_step("      - run:\n          command: npm ci\n          when: always\n");
    CHECK(step.name == "npm ci");
    CHECK(step.when == StepWhen::always);
}

TEST_CASE("when: on_success, on_fail, always") {
    const auto steps = steps_of(R"(      - run: {command: a, when: on_success}
      - run: {command: b, when: on_fail}
      - run: {command: c, when: always}
      - run: d
)");
    REQUIRE(steps.size() == 4);
    CHECK(steps[0].when == StepWhen::on_success);
    CHECK(steps[1].when == StepWhen::on_fail);
    CHECK(steps[2].when == StepWhen::always);
    CHECK(steps[3].when == StepWhen::on_success);
}

TEST_CASE("checkout, as a string or an empty map") {
    const auto steps = steps_of("      - checkout\n      - checkout:\n      - checkout: {}\n");
    REQUIRE(steps.size() == 3);
    for (const Step& step : steps) {
        CHECK(step.kind == StepKind::checkout);
        CHECK(step.name == "Checkout code");
        CHECK(step.command.empty());
        CHECK(step.working_directory.empty());
    }
}

TEST_CASE("no_output_timeout takes CircleCI durations") {
    CHECK(one_step("      - run: {command: x, no_output_timeout: 30s}\n").no_output_timeout_ms ==
          30'000);
    CHECK(one_step("      - run: {command: x, no_output_timeout: 10m}\n").no_output_timeout_ms ==
          600'000);
    CHECK(one_step("      - run: {command: x, no_output_timeout: 1.5h}\n").no_output_timeout_ms ==
          5'400'000);
    CHECK(one_step("      - run: {command: x, no_output_timeout: 24h}\n").no_output_timeout_ms ==
          86'400'000);
}

TEST_CASE("durations: decimal numbers with units, summed") {
    CHECK(parse_duration_ms("30s").value() == 30'000);
    CHECK(parse_duration_ms("10m").value() == 600'000);
    CHECK(parse_duration_ms("1h").value() == 3'600'000);
    CHECK(parse_duration_ms("1h30m").value() == 5'400'000);
    CHECK(parse_duration_ms("1h0m5s").value() == 3'605'000);
    CHECK(parse_duration_ms("1.25h").value() == 4'500'000);
    CHECK(parse_duration_ms("0.5s").value() == 500);
    CHECK(parse_duration_ms(".5m").value() == 30'000);
    CHECK(parse_duration_ms("250ms").value() == 250);
    CHECK(parse_duration_ms("1.0005s").value() == 1'000);  // below a millisecond: dropped
    CHECK(parse_duration_ms("0s").value() == 0);
}

TEST_CASE("durations: garbage is refused with the reason") {
    const auto reason = [](std::string_view text) {
        const auto result = parse_duration_ms(text);
        REQUIRE_FALSE(result.ok());
        return result.error().message;
    };
    CHECK_THAT(reason(""), Catch::Contains("it is empty"));
    CHECK_THAT(reason("90"), Catch::Contains("a number needs a unit"));
    CHECK_THAT(reason("10x"), Catch::Contains("unknown unit"));
    CHECK_THAT(reason("10 m"), Catch::Contains("unknown unit"));
    CHECK_THAT(reason("-5m"), Catch::Contains("expected a number"));
    CHECK_THAT(reason("m"), Catch::Contains("expected a number"));
    CHECK_THAT(reason("1h 30m"), Catch::Contains("expected a number"));
    CHECK_THAT(reason("1e3s"), Catch::Contains("unknown unit"));
    CHECK_THAT(reason("."), Catch::Contains("expected a number"));
    CHECK_THAT(reason("99999999999999999999h"), Catch::Contains("too large"));
    CHECK_THAT(reason("9000h"), Catch::Contains("too large"));
    CHECK_THAT(reason("10m"
                      "x"),
               Catch::Contains("invalid duration \"10mx\""));
}

TEST_CASE("cache, workspace, artifact and test result steps are read with their keys") {
    const Config config = parse_ok(R"(version: 2
jobs:
  build:
    docker: [{image: a}]
    steps:
      - restore_cache:
          keys:
            - v1-deps-{{ checksum "package-lock.json" }}
            - v1-deps-
      - restore_cache: {key: single}
      - save_cache:
          key: v1-deps-{{ checksum "package-lock.json" }}
          paths: [node_modules, ~/.npm]
          when: always
      - persist_to_workspace: {root: ., paths: [dist]}
      - attach_workspace: {at: /tmp/ws}
      - store_artifacts: {path: dist/app, destination: app}
      - store_test_results: {path: reports}
      - setup_remote_docker: {version: default, docker_layer_caching: true}
      - add_ssh_keys: {fingerprints: ["SO:ME:FI:NG:ER"]}
      - deploy: echo deploying
)");
    const std::vector<Step>& steps = only_job(config).steps;
    REQUIRE(steps.size() == 10);
    CHECK(steps[0].kind == StepKind::restore_cache);
    CHECK(steps[0].files.keys ==
          std::vector<std::string>{"v1-deps-{{ checksum \"package-lock.json\" }}", "v1-deps-"});
    CHECK(steps[0].name == "Restoring cache");
    CHECK(steps[1].files.keys == std::vector<std::string>{"single"});
    CHECK(steps[2].kind == StepKind::save_cache);
    CHECK(steps[2].files.paths == std::vector<std::string>{"node_modules", "~/.npm"});
    CHECK(steps[2].when == StepWhen::always);
    CHECK(steps[3].files.root == ".");
    CHECK(steps[3].files.paths == std::vector<std::string>{"dist"});
    CHECK(steps[4].files.at == "/tmp/ws");
    CHECK(steps[5].files.paths == std::vector<std::string>{"dist/app"});
    CHECK(steps[5].files.destination == "app");
    CHECK(steps[6].kind == StepKind::store_test_results);
    CHECK(steps[7].kind == StepKind::setup_remote_docker);
    CHECK(steps[8].fingerprints == std::vector<std::string>{"SO:ME:FI:NG:ER"});
    CHECK(steps[9].kind == StepKind::run);
    CHECK(steps[9].command == "echo deploying");
}

TEST_CASE("checkout with a path puts the code under the job's working directory") {
    const Config config = parse_ok(R"(version: 2
jobs:
  build:
    docker: [{image: a}]
    steps:
      - checkout: {path: src/electron, method: blobless}
      - checkout
)");
    const std::vector<Step>& steps = only_job(config).steps;
    CHECK(steps[0].kind == StepKind::checkout);
    CHECK(steps[0].working_directory == "src/electron");
    CHECK(steps[1].working_directory.empty());
}

TEST_CASE("run: shell, background, max_auto_reruns and auto_rerun_delay") {
    const auto steps = steps_of(
        "      - run:\n          command: ./serve\n          background: true\n"
        "      - run:\n          command: make test\n          shell: /bin/sh -eu\n"
        "          max_auto_reruns: 3\n          auto_rerun_delay: 1m30s\n"
        "      - run:\n          command: x\n          background: false\n"
        "          max_auto_reruns: 5\n");
    REQUIRE(steps.size() == 3);
    CHECK(steps[0].background);
    CHECK(steps[0].shell.empty());
    CHECK(steps[0].max_auto_reruns == 0);
    CHECK_FALSE(steps[1].background);
    CHECK(steps[1].shell == "/bin/sh -eu");
    CHECK(steps[1].max_auto_reruns == 3);
    CHECK(steps[1].auto_rerun_delay_ms == 90'000);
    CHECK_FALSE(steps[2].background);
    CHECK(steps[2].max_auto_reruns == 5);
    CHECK(steps[2].auto_rerun_delay_ms == 0);
}

TEST_CASE("a job's shell is the default of its run steps, and a step's own wins") {
    const Config config = parse_ok(
        "version: 2\njobs:\n  build:\n    docker: [{image: a}]\n    shell: /bin/sh -eu\n"
        "    steps:\n      - checkout\n      - run: echo default\n"
        "      - run:\n          command: echo own\n          shell: /bin/bash\n"
        "      - store_artifacts: {path: out}\n");
    const Job& job = only_job(config);
    CHECK(job.shell == "/bin/sh -eu");
    REQUIRE(job.steps.size() == 4);
    CHECK(job.steps[0].shell.empty());  // a checkout runs no shell
    CHECK(job.steps[1].shell == "/bin/sh -eu");
    CHECK(job.steps[2].shell == "/bin/bash");
    CHECK(job.steps[3].shell.empty());  // fmg's own stand-in, in the default shell
}

TEST_CASE("an executor's shell reaches the steps of the 2.1 job that uses it") {
    const Config config = parse_ok(
        "version: 2.1\nexecutors:\n  small:\n    docker: [{image: a}]\n    shell: /bin/sh\n"
        "commands:\n  greet:\n    steps:\n      - run:\n          command: echo hi\n"
        "          max_auto_reruns: 2\n          auto_rerun_delay: 5s\n"
        "jobs:\n  build:\n    executor: small\n    steps: [greet]\n");
    const Job& job = only_job(config);
    REQUIRE(job.steps.size() == 1);
    CHECK(job.steps[0].shell == "/bin/sh");
    CHECK(job.steps[0].max_auto_reruns == 2);
    CHECK(job.steps[0].auto_rerun_delay_ms == 5'000);
}
