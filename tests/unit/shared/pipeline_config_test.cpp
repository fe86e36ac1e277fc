// Whole configs: what the coordinator and `fmg validate` get back.

#include <catch2/catch.hpp>

#include "tests/unit/shared/pipeline_test_helpers.h"

using namespace fmg::pipeline;
using namespace fmg::pipeline::testing;

namespace {

constexpr std::string_view kRealistic = R"(version: 2.1
references:
  node: &node
    docker:
      - image: cimg/node:20.11
    working_directory: ~/app
    environment:
      NODE_ENV: test

jobs:
  build:
    <<: *node
    steps:
      - checkout
      - run: npm ci
      - run:
          name: Build
          command: npm run build
  test:
    docker:
      - image: cimg/node:20.11
      - image: postgres:15
        # a service the tests talk to
      - image: redis:7
    environment:
      DATABASE_URL: postgres://postgres@localhost/test
      WORKERS: 4
    steps:
      - checkout
      - run:
          name: Unit tests
          command: npm test
          no_output_timeout: 20m
          environment:
            CI: true
      - run:
          name: Upload coverage
          command: ./upload-coverage.sh
          when: always
  lint:
    <<: *node
    steps:
      - checkout
      - run: npm run lint
  deploy:
    docker:
      - image: cimg/base:2024.01
    steps:
      - checkout
      - run: ./deploy.sh production

workflows:
  version: 2
  ci:
    jobs:
      - lint
      - build
      - test:
          requires:
            - build
      - deploy:
          requires: [lint, test]
          filters:
            branches:
              only: main
)";

}  // namespace

TEST_CASE("a realistic config: jobs in dependency order, then config order") {
    const Config config = parse_ok(kRealistic, RefContext{"main", ""});
    CHECK(config.version == "2.1");
    CHECK(job_names(config) == std::vector<std::string>{"lint", "build", "test", "deploy"});

    const Job& lint = config.jobs[0];
    CHECK(lint.workflow == "ci");
    CHECK(lint.image.image == "cimg/node:20.11");
    CHECK(lint.services.empty());
    CHECK(lint.working_directory == "~/app");
    CHECK(lint.environment == Environment{{"NODE_ENV", "test"}});
    CHECK(lint.required_jobs.empty());

    const Job& test = config.jobs[2];
    CHECK(test.image.image == "cimg/node:20.11");
    CHECK(image_references(test.services) == std::vector<std::string>{"postgres:15", "redis:7"});
    CHECK(test.working_directory == "~/project");
    CHECK(test.environment.at("WORKERS") == "4");
    CHECK(test.required_jobs == std::vector<std::string>{"build"});
    REQUIRE(test.steps.size() == 3);
    CHECK(test.steps[0].kind == StepKind::checkout);
    CHECK(test.steps[1].name == "Unit tests");
    CHECK(test.steps[1].command == "npm test");
    CHECK(test.steps[1].no_output_timeout_ms == 20 * 60 * 1000);
    CHECK(test.steps[1].environment == Environment{{"CI", "true"}});
    CHECK(test.steps[2].when == StepWhen::always);

    const Job& deploy = config.jobs[3];
    CHECK(deploy.required_jobs == std::vector<std::string>{"lint", "test"});
    CHECK(deploy.steps[1].name == "./deploy.sh production");
}

TEST_CASE("a branch the filters leave out drops the job, and nothing else") {
    const Config config = parse_ok(kRealistic, RefContext{"feature/login", ""});
    CHECK(job_names(config) == std::vector<std::string>{"lint", "build", "test"});
}

TEST_CASE("without a ref, `fmg validate` sees every job of every workflow") {
    const Config config = parse_ok(kRealistic);
    CHECK(job_names(config) == std::vector<std::string>{"lint", "build", "test", "deploy"});
}

TEST_CASE("ready jobs keep config order, whatever order the workflows list requires in") {
    const Config config = parse_ok(R"(version: 2
x-job: &job
  docker: [{image: alpine}]
  steps: [{run: "true"}]
jobs: {a: *job, b: *job, c: *job, d: *job, e: *job}
workflows:
  one:
    jobs:
      - d: {requires: [c]}
      - c: {requires: [a]}
      - a
  two:
    jobs:
      - e
      - b: {requires: [e]}
)");
    // a and e are ready first; a is listed before e, and c (then d) become ready before e.
    CHECK(job_names(config) == std::vector<std::string>{"a", "c", "d", "e", "b"});
    CHECK(config.jobs[3].workflow == "two");
}

TEST_CASE("`name:` runs one job twice under two names") {
    const Config config = parse_ok(R"(version: 2.1
jobs:
  test:
    docker: [{image: python:3.12}]
    steps: [checkout, {run: pytest}]
workflows:
  py:
    jobs:
      - test
      - test:
          name: test-again
          requires: [test]
)");
    CHECK(job_names(config) == std::vector<std::string>{"test", "test-again"});
    CHECK(config.jobs[1].required_jobs == std::vector<std::string>{"test"});
    CHECK(config.jobs[1].image.image == "python:3.12");
}

TEST_CASE("without workflows the job `build` runs, alone") {
    constexpr std::string_view yaml = R"(version: 2
jobs:
  build:
    docker: [{image: golang:1.22}]
    steps: [checkout, {run: go test ./...}]
  other:
    docker: [{image: alpine}]
    steps: [{run: "false"}]
)";
    const Config config = parse_ok(yaml, RefContext{"main", ""});
    const Job& build = only_job(config);
    CHECK(build.name == "build");
    CHECK(build.workflow.empty());
    CHECK(build.image.image == "golang:1.22");
    CHECK(only_job(parse_ok(yaml)).name == "build");
    // CircleCI builds no tag without a workflow filter asking for it.
    CHECK(parse_ok(yaml, RefContext{"", "v1.0.0"}).jobs.empty());
}

TEST_CASE("environment values keep their text, whatever YAML type they look like") {
    const Config config = parse_ok(R"(version: "2"
jobs:
  build:
    docker: [{image: alpine}]
    environment:
      PORT: 8080
      DEBUG: true
      RATIO: 0.50
      PY: 3.10
      NAME: plain text
      QUOTED: "yes"
      EMPTY: ""
      OCTAL: 0755
    steps: [{run: env}]
)");
    const Job& job = only_job(config);
    CHECK(job.environment == Environment{{"PORT", "8080"},
                                         {"DEBUG", "true"},
                                         {"RATIO", "0.50"},
                                         {"PY", "3.10"},
                                         {"NAME", "plain text"},
                                         {"QUOTED", "yes"},
                                         {"EMPTY", ""},
                                         {"OCTAL", "0755"}});
}

TEST_CASE("merge keys: the job's own keys win over merged ones") {
    const Config config = parse_ok(R"(version: 2
defaults: &defaults
  docker: [{image: node:20}]
  working_directory: /src
  environment: {A: from-defaults}
jobs:
  build:
    <<: *defaults
    working_directory: /elsewhere
    steps: [checkout]
)");
    const Job& job = only_job(config);
    CHECK(job.image.image == "node:20");
    CHECK(job.working_directory == "/elsewhere");
    CHECK(job.environment.at("A") == "from-defaults");
}

TEST_CASE("ParseError prints FILE:LINE:COL: message") {
    const ParseError error{".circleci/config.yml", 12, 7, "something is wrong"};
    CHECK(error.to_string() == ".circleci/config.yml:12:7: something is wrong");
}

TEST_CASE("version 2.0 is version 2, as CircleCI reads it") {
    const Config config = parse_ok(R"(version: 2.0
jobs:
  build:
    docker: [{image: alpine}]
    steps: [checkout]
)");
    CHECK(config.version == "2.0");
    CHECK(only_job(config).name == "build");
}

TEST_CASE("top-level keys fmg does not read are ignored, whatever their name") {
    // Real configs keep their anchors under keys of any name (`references`, `common`,
    // `x-defaults`, `docker-defaults`), which CircleCI ignores.
    const Config config = parse_ok(R"(version: 2.1
common: &common
  docker: [{image: alpine}]
docker-defaults: &env
  FOO: bar
refs: []
jobs:
  build:
    <<: *common
    environment: *env
    steps: [checkout]
)");
    const Job& job = only_job(config);
    CHECK(job.image.image == "alpine");
    CHECK(job.environment == Environment{{"FOO", "bar"}});
}

TEST_CASE("environment as a list: NAME=value strings or one-key maps, as CircleCI takes them") {
    const Config config = parse_ok(R"(version: 2
jobs:
  build:
    docker: [{image: alpine}]
    environment:
      - PLAIN=text
      - WITH_EQUALS=a=b
      - EMPTY=
      - MAPPED: 8080
      - { ONE: 1, TWO: 2 }
    steps:
      - run:
          command: env
          environment:
            - STEP=yes
)");
    const Job& job = only_job(config);
    CHECK(job.environment == Environment{{"PLAIN", "text"},
                                         {"WITH_EQUALS", "a=b"},
                                         {"EMPTY", ""},
                                         {"MAPPED", "8080"},
                                         {"ONE", "1"},
                                         {"TWO", "2"}});
    CHECK(job.steps.at(0).environment == Environment{{"STEP", "yes"}});
}

TEST_CASE("the primary image's environment reaches the steps, under the job's") {
    const Config config = parse_ok(R"(version: 2.1
jobs:
  build:
    docker:
      - image: cimg/python:3.12
        environment:
          PIPENV_VENV_IN_PROJECT: true
          SHARED: from-image
      - image: postgres:15
    environment:
      SHARED: from-job
    steps: [checkout]
)");
    const Job& job = only_job(config);
    CHECK(job.environment ==
          Environment{{"PIPENV_VENV_IN_PROJECT", "true"}, {"SHARED", "from-job"}});
    CHECK(image_references(job.services) == std::vector<std::string>{"postgres:15"});
}
