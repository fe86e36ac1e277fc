// job_spec: a parsed config job as stored with the job (JSON) and as sent to an agent
// (protocol::Assign).

#include "coordinator/domain/job_spec.h"

#include <catch2/catch.hpp>
#include <string>
#include <variant>

#include "shared/pipeline/config.h"

using namespace fmg::coordinator;
namespace pipeline = fmg::pipeline;
namespace protocol = fmg::protocol;

namespace {

constexpr const char* kConfig = R"(version: 2.1
jobs:
  build:
    docker:
      - image: cimg/base:2024.01
      - image: postgres:15
      - image: redis:7
    environment:
      DATABASE_URL: postgres://postgres@localhost/test
      LANG: C.UTF-8
    working_directory: ~/app
    steps:
      - checkout
      - run:
          name: Unit tests
          command: |
            make deps
            make test
          no_output_timeout: 20m
          working_directory: src
          environment:
            CI: "true"
      - run:
          name: Upload coverage
          command: ./upload-coverage.sh
          when: always
)";

pipeline::Job parsed_build_job() {
    auto parsed =
        pipeline::parse_config(kConfig, ".circleci/config.yml", pipeline::RefContext{"main", ""});
    if (auto* error = std::get_if<pipeline::ParseError>(&parsed)) FAIL(error->to_string());
    const auto& config = std::get<pipeline::Config>(parsed);
    REQUIRE(config.jobs.size() == 1);
    return config.jobs.front();
}

}  // namespace

TEST_CASE("a job spec from the config survives the trip through its stored JSON") {
    JobSpec spec = job_spec_from_config(parsed_build_job());
    REQUIRE(spec.steps.size() == 3);
    CHECK(spec.image == "cimg/base:2024.01");
    CHECK(spec.services == std::vector<std::string>{"postgres:15", "redis:7"});
    CHECK(spec.working_directory == "~/app");
    CHECK(spec.steps[0].kind == "checkout");
    CHECK(spec.steps[1].kind == "run");
    CHECK(spec.steps[1].no_output_timeout_ms == 20 * 60 * 1000);
    CHECK(spec.steps[2].when == "always");

    std::string json = to_json(spec);
    auto back = job_spec_from_json(json);
    REQUIRE(back.ok());
    CHECK(back->image == spec.image);
    CHECK(back->services == spec.services);
    CHECK(back->environment == spec.environment);
    CHECK(back->working_directory == spec.working_directory);
    REQUIRE(back->steps.size() == spec.steps.size());
    for (size_t i = 0; i < spec.steps.size(); ++i) {
        CAPTURE(i);
        CHECK(back->steps[i].kind == spec.steps[i].kind);
        CHECK(back->steps[i].name == spec.steps[i].name);
        CHECK(back->steps[i].command == spec.steps[i].command);
        CHECK(back->steps[i].environment == spec.steps[i].environment);
        CHECK(back->steps[i].working_directory == spec.steps[i].working_directory);
        CHECK(back->steps[i].no_output_timeout_ms == spec.steps[i].no_output_timeout_ms);
        CHECK(back->steps[i].when == spec.steps[i].when);
    }
    CHECK(to_json(*back) == json);
}

TEST_CASE("text with quotes, newlines and non-ASCII survives the stored JSON") {
    JobSpec spec;
    spec.image = "alpine:3.19";
    spec.environment = {{"GREETING", "h\u00e9llo \"world\"\n\ttab\\"}, {"EMPTY", ""}};
    spec.steps.push_back(
        {"run", "Print", "printf '%s\\n' \"$GREETING\" # \u00fcber", {}, "", 0, "on_fail"});
    auto back = job_spec_from_json(to_json(spec));
    REQUIRE(back.ok());
    CHECK(back->environment == spec.environment);
    REQUIRE(back->steps.size() == 1);
    CHECK(back->steps[0].command == spec.steps[0].command);
    CHECK(back->steps[0].when == "on_fail");
}

TEST_CASE("the assign message carries what the agent needs to run the job") {
    JobSpec spec = job_spec_from_config(parsed_build_job());
    protocol::Assign assign =
        make_assign(spec, 12, "build", "https://github.com/octo/hello.git", "refs/heads/main",
                    "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c", 42, 90'000);

    CHECK(assign.attempt_id == 42);
    CHECK(assign.pipeline_id == 12);
    CHECK(assign.job_name == "build");
    CHECK(assign.repo_url == "https://github.com/octo/hello.git");
    CHECK(assign.ref == "refs/heads/main");
    CHECK(assign.sha == "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c");
    CHECK(assign.image == "cimg/base:2024.01");
    CHECK(assign.services == std::vector<std::string>{"postgres:15", "redis:7"});
    CHECK(assign.environment.at("DATABASE_URL") == "postgres://postgres@localhost/test");
    CHECK(assign.environment.at("LANG") == "C.UTF-8");
    CHECK(assign.working_directory == "~/app");
    CHECK(assign.job_timeout_ms == 90'000);

    REQUIRE(assign.steps.size() == 3);
    CHECK(assign.steps[0].kind == protocol::StepKind::checkout);
    const auto& tests = assign.steps[1];
    CHECK(tests.kind == protocol::StepKind::run);
    CHECK(tests.name == "Unit tests");
    CHECK(tests.command == "make deps\nmake test\n");
    CHECK(tests.environment == protocol::Environment{{"CI", "true"}});
    CHECK(tests.working_directory == "src");
    CHECK(tests.no_output_timeout_ms == 20 * 60 * 1000);
    CHECK(assign.steps[2].name == "Upload coverage");
    CHECK(assign.steps[2].command == "./upload-coverage.sh");
}

TEST_CASE("a damaged stored spec is an error, not a crash") {
    auto damaged = GENERATE(as<std::string>{}, "", "{", "not json", "[]", "42", "null",
                            R"({"image": "alpine", "steps": [5]})");
    CAPTURE(damaged);
    auto result = job_spec_from_json(damaged);
    REQUIRE_FALSE(result.ok());
    CHECK_FALSE(result.error().message.empty());
}

TEST_CASE("a job naming a context fails first, saying so, with the names out of the shell text") {
    auto parsed = pipeline::parse_config(R"yaml(version: 2
jobs:
  deploy:
    docker: [{image: a}]
    steps: [{run: ./deploy.sh}]
workflows:
  w:
    jobs:
      - deploy:
          context: [aws, "x$(rm -rf /)"]

)yaml",
                                         ".circleci/config.yml", pipeline::RefContext{});
    if (auto* error = std::get_if<pipeline::ParseError>(&parsed)) FAIL(error->to_string());
    const pipeline::Job& job = std::get<pipeline::Config>(parsed).jobs.front();
    CHECK(job.contexts == std::vector<std::string>{"aws", "x$(rm -rf /)"});
    const JobSpec spec = job_spec_from_config(job);
    REQUIRE(spec.steps.size() == 2);
    CHECK(spec.steps[0].name == "Contexts");
    CHECK(spec.steps[0].environment.at("FMG_CONTEXTS") == "aws, x$(rm -rf /)");
    CHECK(spec.steps[0].command.find("rm -rf") == std::string::npos);
    CHECK(spec.steps[0].command.find("exit 1") != std::string::npos);
    CHECK(spec.steps[1].command == "./deploy.sh");
}

TEST_CASE("steps fmg cannot run yet reach the agent as fixed stand-ins") {
    auto parsed = pipeline::parse_config(R"yaml(version: 2
jobs:
  build:
    docker: [{image: a}]
    steps:
      - save_cache: {key: "k-{{ .Branch }}", paths: ["$(touch /tmp/x)"]}
      - setup_remote_docker

)yaml",
                                         ".circleci/config.yml", pipeline::RefContext{});
    if (auto* error = std::get_if<pipeline::ParseError>(&parsed)) FAIL(error->to_string());
    const JobSpec spec = job_spec_from_config(std::get<pipeline::Config>(parsed).jobs.front());
    REQUIRE(spec.steps.size() == 2);
    CHECK(spec.steps[0].kind == "run");
    CHECK(spec.steps[0].command == "echo 'fmg: caches are not stored by fmg yet: step skipped'");
    CHECK(spec.steps[1].command.find("exit 1") != std::string::npos);
}
