// 2.1 expansion: executors, commands, job parameters, pipeline values and parameters,
// matrices, pre/post-steps, when/unless and orbs, as parse_config runs them.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <variant>

#include "shared/pipeline/config.h"
#include "tests/unit/shared/pipeline_test_helpers.h"

namespace fmg::pipeline {
namespace {

using testing::job_names;
using testing::kConfigFile;
using testing::only_job;

Config parse_with(std::string_view yaml, const ParseOptions& options) {
    auto result = parse_config(yaml, kConfigFile, options);
    if (const auto* error = std::get_if<ParseError>(&result)) FAIL(error->to_string());
    return std::get<Config>(std::move(result));
}

ParseError error_with(std::string_view yaml, const ParseOptions& options = {}) {
    auto result = parse_config(yaml, kConfigFile, options);
    if (std::holds_alternative<Config>(result)) FAIL("expected a ParseError for:\n" << yaml);
    return std::get<ParseError>(std::move(result));
}

const Job& job_named(const Config& config, const std::string& name) {
    for (const Job& job : config.jobs) {
        if (job.name == name) return job;
    }
    FAIL("no job " << name);
    return config.jobs.front();
}

std::vector<std::string> commands_of(const Job& job) {
    std::vector<std::string> commands;
    for (const Step& step : job.steps) {
        commands.push_back(step.kind == StepKind::checkout ? "checkout" : step.command);
    }
    return commands;
}

TEST_CASE("an executor gives its image, environment and working directory to the job") {
    const Config config = testing::parse_ok(R"(version: 2.1
executors:
  node:
    parameters:
      tag: {type: string, default: "20"}
    docker:
      - image: cimg/node:<< parameters.tag >>
        environment: {IMAGE_VAR: i}
      - image: redis:7
    environment: {FROM: executor, SHARED: executor}
    working_directory: ~/app
jobs:
  build:
    executor: {name: node, tag: "18.1"}
    environment: {SHARED: job}
    steps: [checkout]
  plain:
    executor: node
    steps: [checkout]
workflows:
  ci: {jobs: [build, plain]}
)");
    const Job& build = job_named(config, "build");
    CHECK(build.image.image == "cimg/node:18.1");
    CHECK(testing::image_references(build.services) == std::vector<std::string>{"redis:7"});
    CHECK(build.working_directory == "~/app");
    CHECK(build.environment.at("FROM") == "executor");
    CHECK(build.environment.at("SHARED") == "job");
    CHECK(build.environment.at("IMAGE_VAR") == "i");
    CHECK(job_named(config, "plain").image.image == "cimg/node:20");
}

TEST_CASE("commands with parameters expand into their steps, commands calling commands") {
    const Config config = testing::parse_ok(R"(version: 2.1
commands:
  greet:
    parameters:
      to: {type: string, default: world}
      loud: {type: boolean, default: false}
    steps:
      - run: echo hello << parameters.to >> loud=<< parameters.loud >>
  twice:
    parameters:
      what: {type: steps}
    steps:
      - steps: << parameters.what >>
      - << parameters.what >>
      - greet: {to: twice}
jobs:
  build:
    docker: [{image: alpine}]
    steps:
      - checkout
      - greet
      - greet: {to: you, loud: yes}
      - twice:
          what:
            - run: echo inner
workflows:
  ci: {jobs: [build]}
)");
    CHECK(commands_of(only_job(config)) ==
          std::vector<std::string>{"checkout", "echo hello world loud=false",
                                   "echo hello you loud=true", "echo inner", "echo inner",
                                   "echo hello twice loud=false"});
}

TEST_CASE("job parameters come from the workflow entry, defaults fill the rest") {
    const Config config = testing::parse_ok(R"(version: 2.1
jobs:
  test:
    parameters:
      python: {type: enum, enum: ["3.11", "3.12"]}
      shards: {type: integer, default: 2}
      token_var: {type: env_var_name, default: TOKEN}
    docker: [{image: "python:<< parameters.python >>"}]
    steps:
      - run: pytest -n << parameters.shards >> --token "$<< parameters.token_var >>"
workflows:
  ci:
    jobs:
      - test: {name: test-old, python: "3.11"}
      - test: {name: test-new, python: "3.12", shards: 8}
)");
    CHECK(job_names(config) == std::vector<std::string>{"test-old", "test-new"});
    CHECK(job_named(config, "test-old").image.image == "python:3.11");
    CHECK(commands_of(job_named(config, "test-new")).front() == "pytest -n 8 --token \"$TOKEN\"");
}

TEST_CASE("parameter values are checked against their types") {
    const std::string job = R"(version: 2.1
jobs:
  test:
    parameters:
      python: {type: enum, enum: ["3.11"]}
      n: {type: integer, default: 1}
      flag: {type: boolean, default: true}
      var: {type: env_var_name, default: A}
    docker: [{image: a}]
    steps: [checkout]
workflows:
  ci:
    jobs:
)";
    CHECK_THAT(error_with(job + "      - test: {python: \"2.7\"}\n").message,
               Catch::Contains("must be one of `3.11`, not `2.7`"));
    CHECK_THAT(error_with(job + "      - test: {python: \"3.11\", n: many}\n").message,
               Catch::Contains("must be an integer"));
    CHECK_THAT(error_with(job + "      - test: {python: \"3.11\", flag: maybe}\n").message,
               Catch::Contains("must be true or false"));
    CHECK_THAT(error_with(job + "      - test: {python: \"3.11\", var: 9X}\n").message,
               Catch::Contains("an environment variable name"));
    const ParseError missing = error_with(job + "      - test\n");
    CHECK(missing.line == 14);
    CHECK_THAT(missing.message, Catch::Contains("job `test` needs a value for parameter `python`"));
    CHECK_THAT(error_with(job + "      - test: {python: \"3.11\", pyton: x}\n").message,
               Catch::Contains("job `test` has no parameter `pyton`"));
}

TEST_CASE("pipeline values and parameters go into the config") {
    const std::string yaml = R"(version: 2.1
parameters:
  deploy: {type: boolean, default: false}
  target: {type: string, default: staging}
jobs:
  build:
    docker: [{image: a}]
    steps:
      - run: echo << pipeline.number >> << pipeline.git.branch >> << pipeline.git.revision >> << pipeline.project.git_url >> << pipeline.trigger_source >> << pipeline.id >>
      - run: echo << pipeline.parameters.target >>
  deploy:
    docker: [{image: a}]
    steps: [checkout]
workflows:
  ci: {jobs: [build]}
  release:
    when: << pipeline.parameters.deploy >>
    jobs: [deploy]
)";
    ParseOptions options;
    options.ref.branch = "main";
    options.pipeline.number = 42;
    options.pipeline.id = "6c3b0c1e-0000-4000-8000-000000000001";
    options.pipeline.revision = "abc123";
    options.pipeline.git_url = "https://github.com/o/r";
    options.pipeline.trigger_source = "webhook";
    Config config = parse_with(yaml, options);
    CHECK(job_names(config) == std::vector<std::string>{"build"});
    CHECK(commands_of(config.jobs[0]) ==
          std::vector<std::string>{"echo 42 main abc123 https://github.com/o/r webhook "
                                   "6c3b0c1e-0000-4000-8000-000000000001",
                                   "echo staging"});

    options.pipeline.parameters = {{"deploy", "true"}, {"target", "prod"}};
    config = parse_with(yaml, options);
    CHECK(job_names(config) == std::vector<std::string>{"build", "deploy"});
    CHECK(commands_of(config.jobs[0])[1] == "echo prod");

    options.pipeline.parameters = {{"deploi", "true"}};
    CHECK_THAT(error_with(yaml, options).message,
               Catch::Contains("the pipeline (its `parameters`) has no parameter `deploi`"));
    options.pipeline.parameters = {{"deploy", "sure"}};
    CHECK_THAT(error_with(yaml, options).message, Catch::Contains("must be true or false"));
}

TEST_CASE("an unknown reference is an error at its place, never text for the shell") {
    const std::string head =
        "version: 2.1\njobs:\n  build:\n    docker: [{image: a}]\n    steps:\n";
    const ParseError unknown =
        error_with(head +
                   "      - run: echo << pipeline.git.brnch >>\nworkflows:\n  ci: {jobs: "
                   "[build]}\n");
    CHECK(unknown.line == 6);
    CHECK(unknown.column == 14);
    CHECK_THAT(unknown.message, Catch::Contains("unknown reference `<< pipeline.git.brnch >>`"));
    CHECK_THAT(error_with(head + "      - run: echo << parameters.x >>\n").message,
               Catch::Contains("unknown reference `<< parameters.x >>` (no such parameter)"));
    // Shell heredocs and escaped references stay as written.
    const Config config = testing::parse_ok(
        head + "      - run: cat <<EOF >>log\n      - run: echo \\<< parameters.x >>\n");
    CHECK(commands_of(only_job(config)) ==
          std::vector<std::string>{"cat <<EOF >>log", "echo << parameters.x >>"});
}

TEST_CASE("a matrix makes one job per combination, named as CircleCI names them") {
    const Config config = testing::parse_ok(R"(version: 2.1
jobs:
  test:
    parameters:
      version: {type: string}
      platform: {type: string}
    docker: [{image: "img:<< parameters.version >>"}]
    steps: [{run: "echo << parameters.platform >>"}]
  report:
    docker: [{image: a}]
    steps: [checkout]
workflows:
  ci:
    jobs:
      - test:
          matrix:
            parameters:
              version: ["0.1", "0.2"]
              platform: [linux, macos]
            exclude:
              - {version: "0.2", platform: macos}
      - report:
          requires: [test]
)");
    CHECK(job_names(config) ==
          std::vector<std::string>{"test-linux-0.1", "test-macos-0.1", "test-linux-0.2", "report"});
    CHECK(job_named(config, "test-linux-0.2").image.image == "img:0.2");
    CHECK(job_named(config, "report").required_jobs ==
          std::vector<std::string>{"test-linux-0.1", "test-macos-0.1", "test-linux-0.2"});
}

TEST_CASE("a matrix alias and a name with matrix values") {
    const Config config = testing::parse_ok(R"(version: 2.1
jobs:
  test:
    parameters:
      v: {type: string}
    docker: [{image: a}]
    steps: [checkout]
  after:
    docker: [{image: a}]
    steps: [checkout]
workflows:
  ci:
    jobs:
      - test:
          name: t<< matrix.v >>
          matrix: {alias: all-tests, parameters: {v: ["1", "2"]}}
      - after: {requires: [all-tests, t1]}
)");
    CHECK(job_names(config) == std::vector<std::string>{"t1", "t2", "after"});
    CHECK(job_named(config, "after").required_jobs == std::vector<std::string>{"t1", "t2"});
}

TEST_CASE("pre-steps and post-steps wrap the job's steps") {
    const Config config = testing::parse_ok(R"(version: 2.1
jobs:
  build:
    docker: [{image: a}]
    steps: [{run: middle}]
workflows:
  ci:
    jobs:
      - build:
          pre-steps: [{run: first}]
          post-steps: [{run: "last << pipeline.number >>"}]
)");
    CHECK(commands_of(only_job(config)) == std::vector<std::string>{"first", "middle", "last 0"});
}

TEST_CASE("when and unless steps, with logic statements") {
    const Config config = testing::parse_ok(R"(version: 2.1
jobs:
  build:
    parameters:
      full: {type: boolean, default: true}
      env: {type: string, default: prod}
    docker: [{image: a}]
    steps:
      - when:
          condition: << parameters.full >>
          steps: [{run: full}]
      - unless:
          condition: << parameters.full >>
          steps: [{run: quick}]
      - when:
          condition: {and: [<< parameters.full >>, {equal: [prod, << parameters.env >>]}]}
          steps: [{run: and}]
      - when:
          condition: {or: [false, {not: {equal: [a, b]}}]}
          steps: [{run: or-not}]
      - when:
          condition: {matches: {pattern: "^pr.d$", value: << parameters.env >>}}
          steps: [{run: matches}]
      - when:
          condition: {matches: {pattern: "^x", value: << parameters.env >>}}
          steps: [{run: no-match}]
      - when:
          condition: {and: []}
          steps: [{run: empty-and}]
workflows:
  ci: {jobs: [build]}
)");
    CHECK(commands_of(only_job(config)) ==
          std::vector<std::string>{"full", "and", "or-not", "matches"});
}

TEST_CASE("workflows run or not by when and unless") {
    const std::string yaml = R"(version: 2.1
jobs:
  a: {docker: [{image: a}], steps: [checkout]}
  b: {docker: [{image: a}], steps: [checkout]}
  c: {docker: [{image: a}], steps: [checkout]}
workflows:
  main-only:
    when: {equal: [main, << pipeline.git.branch >>]}
    jobs: [a]
  not-main:
    unless: {equal: [main, << pipeline.git.branch >>]}
    jobs: [b]
  release:
    when:
      matches: {pattern: "^release/.+$", value: << pipeline.git.branch >>}
    jobs: [c]
)";
    CHECK(job_names(testing::parse_ok(yaml, {"main", ""})) == std::vector<std::string>{"a"});
    CHECK(job_names(testing::parse_ok(yaml, {"release/1", ""})) ==
          std::vector<std::string>{"b", "c"});
    CHECK_THAT(error_with("version: 2.1\njobs:\n  a: {docker: [{image: a}], steps: [checkout]}\n"
                          "workflows:\n  w:\n    when: {xor: [a, b]}\n    jobs: [a]\n")
                   .message,
               Catch::Contains("unknown key `xor` in a logic statement"));
}

TEST_CASE("inline orbs give commands, executors and jobs under their name") {
    const Config config = testing::parse_ok(R"(version: 2.1
orbs:
  tools:
    executors:
      default:
        docker: [{image: "tools:1"}]
    commands:
      hello:
        parameters: {who: {type: string, default: orb}}
        steps: [{run: "hello << parameters.who >>"}]
    jobs:
      check:
        executor: default
        steps: [hello]
jobs:
  build:
    executor: tools/default
    steps: [{tools/hello: {who: config}}]
workflows:
  ci: {jobs: [build, tools/check]}
)");
    CHECK(job_names(config) == std::vector<std::string>{"build", "tools-check"});
    CHECK(job_named(config, "build").image.image == "tools:1");
    CHECK(commands_of(job_named(config, "build")) == std::vector<std::string>{"hello config"});
    CHECK(commands_of(job_named(config, "tools-check")) == std::vector<std::string>{"hello orb"});
}

TEST_CASE("registry orbs come from the orb directory, or are refused naming where to put them") {
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("fmg-orbs-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "acme");
    std::ofstream(dir / "acme" / "ci@1.2.3.yml") << R"(version: 2.1
description: a test orb
commands:
  say:
    parameters: {what: {type: string}}
    steps: [{run: "say << parameters.what >>"}]
jobs:
  lint:
    docker: [{image: "lint:1"}]
    steps: [{say: {what: lint}}]
)";
    const std::string yaml = R"(version: 2.1
orbs:
  ci: acme/ci@1.2.3
jobs:
  build:
    docker: [{image: a}]
    steps: [{ci/say: {what: hi}}]
workflows:
  w: {jobs: [build, ci/lint]}
)";
    ParseOptions options;
    options.orb_dir = dir.string();
    const Config config = parse_with(yaml, options);
    CHECK(commands_of(job_named(config, "build")) == std::vector<std::string>{"say hi"});
    CHECK(job_named(config, "ci-lint").image.image == "lint:1");

    std::string missing = yaml;
    missing.replace(missing.find("1.2.3"), 5, "9.9.9");
    const ParseError error = error_with(missing, options);
    CHECK(error.line == 3);
    CHECK_THAT(error.message, Catch::Contains("orb `acme/ci@9.9.9` is not in the orb directory: "
                                              "put its source"));
    CHECK_THAT(error.message, Catch::Contains((dir / "acme" / "ci@9.9.9.yml").string()));

    // An error inside the orb names the orb's file.
    std::ofstream(dir / "acme" / "ci@1.2.3.yml")
        << "version: 2.1\ncommands:\n  say:\n    parameters: "
           "{what: {type: string}}\n    steps: [{run: "
           "\"<< parameters.nope >>\"}]\n";
    const ParseError in_orb = error_with(yaml, options);
    CHECK(in_orb.file == (dir / "acme" / "ci@1.2.3.yml").string());
    CHECK(in_orb.line == 5);
    CHECK_THAT(in_orb.message, Catch::Contains("<< parameters.nope >>"));

    // A reference that would leave the directory is no orb reference.
    std::string escaping = yaml;
    escaping.replace(escaping.find("acme/ci@1.2.3"), 13, "acme/ci@../../x");
    CHECK_THAT(error_with(escaping, options).message,
               Catch::Contains("a registry orb is NAMESPACE/NAME@VERSION"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("commands that call themselves and steps that multiply are bounded") {
    CHECK_THAT(error_with(R"(version: 2.1
commands:
  loop: {steps: [loop]}
jobs:
  build: {docker: [{image: a}], steps: [loop]}
)")
                   .message,
               Catch::Contains("commands call commands more than 16 levels deep"));
    CHECK_THAT(error_with(R"(version: 2.1
commands:
  c1: {steps: [{run: x}, {run: x}, {run: x}, {run: x}, {run: x}, {run: x}, {run: x}, {run: x}]}
  c2: {steps: [c1, c1, c1, c1, c1, c1, c1, c1]}
  c3: {steps: [c2, c2, c2, c2, c2, c2, c2, c2]}
  c4: {steps: [c3, c3, c3, c3, c3, c3, c3, c3]}
jobs:
  build: {docker: [{image: a}], steps: [c4]}
)")
                   .message,
               Catch::Contains("a job expands to more than 1000 steps"));
}

TEST_CASE("2.1 keys in a 2.0 config are refused naming the version they need") {
    CHECK_THAT(error_with("version: 2\ncommands: {}\njobs:\n  build: {docker: [{image: a}], "
                          "steps: [checkout]}\n")
                   .message,
               Catch::Contains("`commands` needs `version: 2.1`"));
}

TEST_CASE("expand_config prints the 2.0 form") {
    ParseOptions options;
    auto expanded = expand_config(R"(version: 2.1
commands:
  hi: {steps: [{run: echo hi}]}
jobs:
  build: {docker: [{image: a}], steps: [hi]}
workflows:
  ci: {jobs: [build]}
)",
                                  kConfigFile, options);
    REQUIRE(std::holds_alternative<std::string>(expanded));
    const std::string& text = std::get<std::string>(expanded);
    CHECK_THAT(text, Catch::Contains("run: echo hi"));
    CHECK_THAT(text, !Catch::Contains("commands"));
    // What it prints is a config that parses to the same jobs.
    CHECK(job_names(testing::parse_ok(text)) == std::vector<std::string>{"build"});
}

}  // namespace
}  // namespace fmg::pipeline
