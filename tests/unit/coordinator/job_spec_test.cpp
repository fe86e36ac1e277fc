// job_spec: a parsed config job as stored with the job (JSON) and as sent to an agent
// (protocol::Assign).

#include "coordinator/domain/job_spec.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <variant>

#include "protocol/codec.h"
#include "shared/pipeline/builtin_variables.h"
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

/// Attempt 42 of job 17, `build`, of pipeline 12: a push to main of octo/hello.
RunContext run_of_build() {
    return {.pipeline_id = 12,
            .repo = "octo/hello",
            .repo_url = "https://github.com/octo/hello.git",
            .ref = "refs/heads/main",
            .sha = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
            .pr_number = std::nullopt,
            .job_id = 17,
            .job_name = "build",
            .attempt_id = 42};
}

JobSpec spec_of(const std::string& yaml, const std::string& job_name) {
    auto parsed = pipeline::parse_config(yaml, ".circleci/config.yml", pipeline::RefContext{});
    if (auto* error = std::get_if<pipeline::ParseError>(&parsed)) FAIL(error->to_string());
    for (const auto& job : std::get<pipeline::Config>(parsed).jobs) {
        if (job.name == job_name) return job_spec_from_config(job);
    }
    FAIL("no job " << job_name);
    return {};
}

constexpr const char* kWorkflowConfig = R"(version: 2.1
jobs:
  build:
    docker: [{image: alpine}]
    steps: [checkout]
  test:
    docker: [{image: alpine}]
    environment:
      CIRCLE_BRANCH: chosen-by-the-job
    steps: [checkout]
workflows:
  ci:
    jobs: [build, test]
  nightly:
    jobs:
      - build:
          name: nightly-build
)";

}  // namespace

TEST_CASE("a job spec from the config survives the trip through its stored JSON") {
    JobSpec spec = job_spec_from_config(parsed_build_job());
    REQUIRE(spec.steps.size() == 3);
    CHECK(spec.image.image == "cimg/base:2024.01");
    REQUIRE(spec.services.size() == 2);
    CHECK(spec.services[0].image == "postgres:15");
    CHECK(spec.services[1].image == "redis:7");
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
    spec.image.image = "alpine:3.19";
    spec.environment = {{"GREETING", "h\u00e9llo \"world\"\n\ttab\\"}, {"EMPTY", ""}};
    spec.steps.push_back({"run",
                          "Print",
                          "printf '%s\\n' \"$GREETING\" # \u00fcber",
                          {},
                          "",
                          0,
                          "on_fail",
                          "",
                          false,
                          0,
                          0,
                          {},
                          "",
                          "",
                          "",
                          {},
                          {}});
    auto back = job_spec_from_json(to_json(spec));
    REQUIRE(back.ok());
    CHECK(back->environment == spec.environment);
    REQUIRE(back->steps.size() == 1);
    CHECK(back->steps[0].command == spec.steps[0].command);
    CHECK(back->steps[0].when == "on_fail");
}

TEST_CASE("the assign message carries what the agent needs to run the job") {
    JobSpec spec = job_spec_from_config(parsed_build_job());
    protocol::Assign assign = make_assign(spec, run_of_build(), 90'000);

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

TEST_CASE("a job naming a context begins with the Secrets step, the names out of the shell text") {
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
    CHECK(spec.steps[0].name == kSecretsStepName);
    CHECK(spec.contexts == std::vector<std::string>{"aws", "x$(rm -rf /)"});
    // What the step prints comes at dispatch, in variables (secrets/job_secrets.h).
    CHECK(spec.steps[0].command.find("rm -rf") == std::string::npos);
    CHECK(spec.steps[0].command.find("$FMG_SECRETS_ERROR") != std::string::npos);
    CHECK(spec.steps[0].environment.empty());
    CHECK(spec.steps[1].command == "./deploy.sh");
    auto stored = job_spec_from_json(to_json(spec));
    REQUIRE(stored);
    CHECK(stored->contexts == spec.contexts);
    CHECK(job_spec_from_json(to_json(job_spec_from_config(parsed_build_job())))->contexts.empty());
}

TEST_CASE("every job of a repository with secrets begins with the Secrets step") {
    const JobSpec plain = job_spec_from_config(parsed_build_job());
    CHECK_FALSE(plain.repository_secrets);
    const JobSpec spec = job_spec_from_config(parsed_build_job(), std::nullopt, true);
    CHECK(spec.repository_secrets);
    REQUIRE(spec.steps.size() == plain.steps.size() + 1);
    CHECK(spec.steps[0].name == kSecretsStepName);
    CHECK(spec.contexts.empty());
    auto stored = job_spec_from_json(to_json(spec));
    REQUIRE(stored);
    CHECK(stored->repository_secrets);
    CHECK_FALSE(job_spec_from_json(to_json(plain))->repository_secrets);
}

TEST_CASE("cache steps and setup_remote_docker reach the agent as their own kinds") {
    auto parsed = pipeline::parse_config(R"yaml(version: 2
jobs:
  build:
    docker: [{image: a}]
    steps:
      - save_cache: {key: "k-{{ .Branch }}", paths: ["$(touch /tmp/x)"]}
      - restore_cache: {keys: ["k-{{ .Branch }}", "k-"]}
      - setup_remote_docker

)yaml",
                                         ".circleci/config.yml", pipeline::RefContext{});
    if (auto* error = std::get_if<pipeline::ParseError>(&parsed)) FAIL(error->to_string());
    const JobSpec spec = job_spec_from_config(std::get<pipeline::Config>(parsed).jobs.front());
    REQUIRE(spec.steps.size() == 3);
    // The key stays a template (the agent renders it); the path is data, never a command.
    CHECK(spec.steps[0].kind == "save_cache");
    CHECK(spec.steps[0].command.empty());
    CHECK(spec.steps[0].keys == std::vector<std::string>{"k-{{ .Branch }}"});
    CHECK(spec.steps[0].paths == std::vector<std::string>{"$(touch /tmp/x)"});
    CHECK(spec.steps[1].kind == "restore_cache");
    CHECK(spec.steps[1].keys == std::vector<std::string>{"k-{{ .Branch }}", "k-"});
    // The agent decides what setup_remote_docker does (--allow-job-docker): it gets the step.
    CHECK(spec.steps[2].kind == "setup_remote_docker");
    CHECK(spec.steps[2].command.empty());
    auto stored = job_spec_from_json(to_json(spec));
    REQUIRE(stored.ok());
    const protocol::Assign assign = make_assign(*stored, run_of_build(), 0);
    REQUIRE(assign.steps.size() == 3);
    CHECK(assign.steps[0].kind == protocol::StepKind::save_cache);
    CHECK(assign.steps[0].keys == std::vector<std::string>{"k-{{ .Branch }}"});
    CHECK(assign.steps[0].paths == std::vector<std::string>{"$(touch /tmp/x)"});
    CHECK(assign.steps[1].kind == protocol::StepKind::restore_cache);
    CHECK(assign.steps[1].keys == std::vector<std::string>{"k-{{ .Branch }}", "k-"});
    CHECK(assign.steps[2].kind == protocol::StepKind::setup_remote_docker);
}

TEST_CASE("a store_artifacts step reaches the agent with its path and destination, stored or not") {
    auto parsed = pipeline::parse_config(R"yaml(version: 2
jobs:
  build:
    docker: [{image: a}]
    steps:
      - store_artifacts: {path: "~/project/out dir", destination: reports}
      - store_artifacts: {path: /tmp/logs}
)yaml",
                                         ".circleci/config.yml", pipeline::RefContext{});
    if (auto* error = std::get_if<pipeline::ParseError>(&parsed)) FAIL(error->to_string());
    const JobSpec built = job_spec_from_config(std::get<pipeline::Config>(parsed).jobs.front());
    auto stored = job_spec_from_json(to_json(built));
    REQUIRE(stored);
    const protocol::Assign assign = make_assign(*stored, run_of_build(), 0);
    REQUIRE(assign.steps.size() == 2);
    CHECK(assign.steps[0].kind == protocol::StepKind::store_artifacts);
    CHECK(assign.steps[0].paths == std::vector<std::string>{"~/project/out dir"});
    CHECK(assign.steps[0].destination == "reports");
    CHECK(assign.steps[0].command.empty());
    CHECK(assign.steps[1].paths == std::vector<std::string>{"/tmp/logs"});
    CHECK(assign.steps[1].destination.empty());
    CHECK(protocol::validate(protocol::CoordinatorMessage{assign}));
}

TEST_CASE("the assign gives every step CircleCI's built-in variables and fmg's ids") {
    RunContext run = run_of_build();
    const protocol::Assign assign = make_assign(job_spec_from_config(parsed_build_job()), run, 0);
    const auto& env = assign.environment;
    CHECK(env.at("CI") == "true");
    CHECK(env.at("CIRCLECI") == "true");
    CHECK(env.at("CIRCLE_BRANCH") == "main");
    CHECK(env.count("CIRCLE_TAG") == 0);
    CHECK(env.at("CIRCLE_SHA1") == "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c");
    CHECK(env.at("CIRCLE_BUILD_NUM") == "42");  // the attempt: new for each run of the job
    CHECK(env.at("CIRCLE_JOB") == "build");
    CHECK(env.at("CIRCLE_WORKFLOW_ID") == workflow_id(12, ""));
    CHECK(env.at("CIRCLE_PIPELINE_ID") == "12");
    CHECK(env.at("CIRCLE_PROJECT_USERNAME") == "octo");
    CHECK(env.at("CIRCLE_PROJECT_REPONAME") == "hello");
    CHECK(env.at("CIRCLE_REPOSITORY_URL") == "https://github.com/octo/hello.git");
    CHECK(env.at("CIRCLE_WORKING_DIRECTORY") == "~/app");  // as written in the config
    CHECK(env.count("CIRCLE_PR_NUMBER") == 0);
    CHECK(env.count("CIRCLE_PULL_REQUEST") == 0);
    CHECK(env.at("CIRCLE_NODE_INDEX") == "0");
    CHECK(env.at("CIRCLE_NODE_TOTAL") == "1");
    CHECK(env.at("FMG_PIPELINE_ID") == "12");
    CHECK(env.at("FMG_JOB_ID") == "17");
    CHECK(env.at("FMG_ATTEMPT_ID") == "42");
    // The job's own variables are there too.
    CHECK(env.at("DATABASE_URL") == "postgres://postgres@localhost/test");
    // Every variable set is one the parser counts in the assign's bound.
    for (const auto& [name, value] : env) {
        if (name == "DATABASE_URL" || name == "LANG") continue;
        CAPTURE(name);
        CHECK(std::any_of(pipeline::kBuiltinVariables.begin(), pipeline::kBuiltinVariables.end(),
                          [&](const auto& variable) { return variable.name == name; }));
    }
}

TEST_CASE("a tag sets CIRCLE_TAG and no branch, and a pull request its number and URL") {
    const JobSpec spec = job_spec_from_config(parsed_build_job());
    RunContext tag = run_of_build();
    tag.ref = "refs/tags/v1.2.0";
    const auto tagged = make_assign(spec, tag, 0).environment;
    CHECK(tagged.at("CIRCLE_TAG") == "v1.2.0");
    CHECK(tagged.count("CIRCLE_BRANCH") == 0);

    RunContext pull = run_of_build();
    pull.ref = "refs/heads/feature/login";
    pull.pr_number = 31;
    const auto pulled = make_assign(spec, pull, 0).environment;
    CHECK(pulled.at("CIRCLE_BRANCH") == "feature/login");
    CHECK(pulled.at("CIRCLE_PR_NUMBER") == "31");
    CHECK(pulled.at("CIRCLE_PULL_REQUEST") == "https://github.com/octo/hello/pull/31");

    // A manual trigger stored a bare branch name in older versions.
    RunContext bare = run_of_build();
    bare.ref = "develop";
    CHECK(make_assign(spec, bare, 0).environment.at("CIRCLE_BRANCH") == "develop");
}

TEST_CASE("the job's environment wins over the built-in variables, as on CircleCI") {
    const JobSpec test = spec_of(kWorkflowConfig, "test");
    const auto env = make_assign(test, run_of_build(), 0).environment;
    CHECK(env.at("CIRCLE_BRANCH") == "chosen-by-the-job");
    // The name its workflow gives it, whatever the pipeline calls it (`ci:test`, `test[0]`).
    CHECK(env.at("CIRCLE_JOB") == "test");
    JobSpec stored_before = test;
    stored_before.circle_job.clear();  // a spec stored before it was kept: the pipeline's name
    CHECK(make_assign(stored_before, run_of_build(), 0).environment.at("CIRCLE_JOB") == "build");
}

TEST_CASE("CIRCLE_WORKFLOW_ID is one id per pipeline and workflow, kept in the stored spec") {
    const JobSpec build = spec_of(kWorkflowConfig, "build");
    const JobSpec test = spec_of(kWorkflowConfig, "test");
    const JobSpec nightly = spec_of(kWorkflowConfig, "nightly-build");
    CHECK(build.workflow == "ci");
    CHECK(nightly.workflow == "nightly");

    auto workflow_of = [](const JobSpec& spec, int64_t pipeline_id) {
        RunContext run = run_of_build();
        run.pipeline_id = pipeline_id;
        auto stored = job_spec_from_json(to_json(spec));
        REQUIRE(stored.ok());
        return make_assign(*stored, run, 0).environment.at("CIRCLE_WORKFLOW_ID");
    };
    const std::string ci = workflow_of(build, 12);
    CHECK(workflow_of(test, 12) == ci);
    CHECK(workflow_of(nightly, 12) != ci);
    CHECK(workflow_of(build, 13) != ci);
    // UUID-shaped, version 8 (RFC 9562), so tools that parse CircleCI's ids accept it.
    REQUIRE(ci.size() == 36);
    for (size_t i : {8u, 13u, 18u, 23u}) CHECK(ci[i] == '-');
    CHECK(ci[14] == '8');
    CHECK(std::string("89ab").find(ci[19]) != std::string::npos);
}

TEST_CASE("a spec stored before the workflow was kept reads as no workflow") {
    auto old = job_spec_from_json(
        R"({"image":"alpine","services":[],"environment":{},"working_directory":"~/project",)"
        R"("steps":[{"kind":"run","name":"x","command":"true","environment":{},)"
        R"("working_directory":"","no_output_timeout_ms":0,"when":"on_success"}]})");
    REQUIRE(old.ok());
    CHECK(old->workflow.empty());
    CHECK(make_assign(*old, run_of_build(), 0).environment.at("CIRCLE_WORKFLOW_ID") ==
          workflow_id(12, ""));
}

TEST_CASE("image options survive the stored JSON and reach the assign, one per image") {
    const JobSpec spec = spec_of(R"(version: 2.1
jobs:
  build:
    docker:
      - image: cimg/base:2024.01
        user: circleci
        auth: {username: bot, password: $REGISTRY_PASSWORD}
      - image: postgres:16
        name: db
        entrypoint: [docker-entrypoint.sh]
        command: postgres -c fsync=off
        environment: {POSTGRES_PASSWORD: secret}
      - image: redis:7
    steps: [checkout]
)",
                                 "build");
    CHECK(spec.image.user == "circleci");
    REQUIRE(spec.services.size() == 2);

    auto back = job_spec_from_json(to_json(spec));
    REQUIRE(back.ok());
    CHECK(back->image == spec.image);
    CHECK(back->services == spec.services);
    CHECK(back->services[0].command == std::vector<std::string>{"postgres", "-c", "fsync=off"});

    const protocol::Assign assign = make_assign(*back, run_of_build(), 0);
    CHECK(assign.image == "cimg/base:2024.01");
    CHECK(assign.services == std::vector<std::string>{"postgres:16", "redis:7"});
    REQUIRE(assign.image_options.size() == 3);
    CHECK(assign.image_options[0].user == "circleci");
    CHECK(assign.image_options[0].auth_username == "bot");
    CHECK(assign.image_options[0].auth_password == "$REGISTRY_PASSWORD");
    CHECK(assign.image_options[1].name == "db");
    CHECK(assign.image_options[1].entrypoint == std::vector<std::string>{"docker-entrypoint.sh"});
    CHECK(assign.image_options[1].environment ==
          protocol::Environment{{"POSTGRES_PASSWORD", "secret"}});
    CHECK(assign.image_options[2] == protocol::ImageOptions{});
    CHECK(protocol::validate(protocol::CoordinatorMessage{assign}).ok());
}

TEST_CASE("a spec stored before image options reads as images run as they are") {
    const std::string stored =
        R"({"workflow":"","image":"cimg/base:2024.01","services":["postgres:15","redis:7"],)"
        R"("environment":{},"working_directory":"~/project","steps":[]})";
    auto spec = job_spec_from_json(stored);
    REQUIRE(spec.ok());
    pipeline::ImageSpec plain;
    plain.image = "cimg/base:2024.01";
    CHECK(spec->image == plain);
    REQUIRE(spec->services.size() == 2);
    plain.image = "redis:7";
    CHECK(spec->services[1] == plain);
    const protocol::Assign assign = make_assign(*spec, run_of_build(), 0);
    CHECK(assign.services == std::vector<std::string>{"postgres:15", "redis:7"});
    CHECK(assign.image_options == std::vector<protocol::ImageOptions>(3));
}

TEST_CASE("a stored spec whose image options do not match its images is damaged") {
    auto spec = job_spec_from_json(
        R"({"image":"a","services":["b"],"image_options":[{"name":"x"}],"steps":[]})");
    REQUIRE_FALSE(spec.ok());
    CHECK(spec.error().message == "damaged job spec: image_options has 1 items for 2 images");
}

TEST_CASE("a step's shell, background and reruns reach the stored spec and the assign") {
    JobSpec spec;
    spec.image.image = "alpine";
    spec.steps.push_back({"run",
                          "Serve",
                          "./serve",
                          {},
                          "",
                          0,
                          "on_success",
                          "",
                          true,
                          0,
                          0,
                          {},
                          "",
                          "",
                          "",
                          {},
                          {}});
    spec.steps.push_back({"run",
                          "Tests",
                          "make test",
                          {},
                          "",
                          0,
                          "on_success",
                          "/bin/sh -eu",
                          false,
                          3,
                          10'000,
                          {},
                          "",
                          "",
                          "",
                          {},
                          {}});
    auto back = job_spec_from_json(to_json(spec));
    REQUIRE(back.ok());
    REQUIRE(back->steps.size() == 2);
    CHECK(back->steps[0].background);
    CHECK(back->steps[0].shell.empty());
    CHECK(back->steps[1].shell == "/bin/sh -eu");
    CHECK(back->steps[1].max_auto_reruns == 3);
    CHECK(back->steps[1].auto_rerun_delay_ms == 10'000);

    protocol::Assign assign = make_assign(*back, run_of_build(), 0);
    REQUIRE(assign.steps.size() == 2);
    CHECK(assign.steps[0].background);
    CHECK(assign.steps[1].shell == "/bin/sh -eu");
    CHECK(assign.steps[1].max_auto_reruns == 3);
    CHECK(assign.steps[1].auto_rerun_delay_ms == 10'000);
}

TEST_CASE("a spec stored before shell, background and reruns existed reads as the defaults") {
    const std::string old_json =
        R"({"workflow":"","image":"alpine","services":[],"environment":{},)"
        R"("working_directory":"~/project","steps":[{"kind":"run","name":"T","command":"true",)"
        R"("environment":{},"working_directory":"","no_output_timeout_ms":0,"when":"on_success"}]})";
    auto spec = job_spec_from_json(old_json);
    REQUIRE(spec.ok());
    REQUIRE(spec->steps.size() == 1);
    CHECK(spec->steps[0].shell.empty());
    CHECK_FALSE(spec->steps[0].background);
    CHECK(spec->steps[0].max_auto_reruns == 0);
    CHECK(spec->steps[0].auto_rerun_delay_ms == 0);
    // A plain step's JSON is as it was: the new keys are written only when set.
    const std::string json = to_json(*spec);
    for (const char* key : {"shell", "background", "max_auto_reruns", "auto_rerun_delay_ms"}) {
        CHECK_THAT(json, !Catch::Contains(key));
    }
}

TEST_CASE("a damaged stored spec cannot make an assign past the protocol's rerun limits") {
    JobSpec spec;
    spec.steps.push_back({"run",
                          "T",
                          "true",
                          {},
                          "",
                          0,
                          "on_success",
                          "",
                          false,
                          99,
                          1'000'000'000,
                          {},
                          "",
                          "",
                          "",
                          {},
                          {}});
    protocol::Assign assign = make_assign(spec, run_of_build(), 0);
    CHECK(assign.steps.at(0).max_auto_reruns == protocol::kMaxAutoReruns);
    CHECK(assign.steps.at(0).auto_rerun_delay_ms == protocol::kMaxAutoRerunDelayMs);
}
