// A job with `parallelism` runs as nodes: one job of the pipeline per node, each told which
// node it is (CIRCLE_NODE_INDEX, CIRCLE_NODE_TOTAL) under its job's name (CIRCLE_JOB), and the
// jobs after it wait for every node (preparer/config_jobs.h).

#include <catch2/catch.hpp>
#include <string>
#include <variant>
#include <vector>

#include "coordinator/domain/job_spec.h"
#include "coordinator/lifecycle/preparation.h"
#include "coordinator/preparer/config_jobs.h"
#include "shared/pipeline/config.h"
#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;
namespace pipeline = fmg::pipeline;

namespace {

constexpr const char* kConfig = R"yaml(version: 2.1
jobs:
  build:
    docker: [{image: alpine}]
    steps: [checkout]
  test:
    docker: [{image: alpine}]
    parallelism: 3
    steps:
      - run: circleci tests glob "t/*.sh" | circleci tests split | xargs -n1 sh
  deploy:
    docker: [{image: alpine}]
    steps: [{run: ./deploy.sh}]
workflows:
  ci:
    jobs:
      - build
      - test: {requires: [build]}
      - deploy: {requires: [test]}
)yaml";

pipeline::Config parsed() {
    auto result = pipeline::parse_config(kConfig, ".circleci/config.yml", pipeline::RefContext{});
    if (auto* error = std::get_if<pipeline::ParseError>(&result)) FAIL(error->to_string());
    return std::get<pipeline::Config>(std::move(result));
}

std::vector<std::string> names_of(const std::vector<lifecycle::ConfigJob>& jobs) {
    std::vector<std::string> names;
    for (const auto& job : jobs) names.push_back(job.name);
    return names;
}

JobSpec spec_of(const lifecycle::ConfigJob& job) {
    auto spec = job_spec_from_json(job.spec);
    REQUIRE(spec.ok());
    return spec.value();
}

}  // namespace

TEST_CASE("a job with parallelism becomes one job per node, required as a whole") {
    const auto jobs = config_jobs(parsed());
    CHECK(names_of(jobs) ==
          std::vector<std::string>{"build", "test[0]", "test[1]", "test[2]", "deploy"});
    CHECK(jobs[1].required_jobs == std::vector<std::string>{"build"});
    CHECK(jobs[3].required_jobs == std::vector<std::string>{"build"});
    CHECK(jobs[4].required_jobs == std::vector<std::string>{"test[0]", "test[1]", "test[2]"});
    CHECK_FALSE(spec_of(jobs[0]).node.has_value());
    for (uint32_t index = 0; index < 3; ++index) {
        const JobSpec spec = spec_of(jobs[1 + index]);
        REQUIRE(spec.node.has_value());
        CHECK(*spec.node == JobNode{.index = index, .total = 3});
        CHECK(spec.circle_job == "test");
        // Every node runs the same steps.
        REQUIRE(spec.steps.size() == 1);
        CHECK(spec.steps[0].command == spec_of(jobs[1]).steps[0].command);
    }
}

TEST_CASE("a node's assign names its job and its node, and other jobs are node 0 of 1") {
    const auto jobs = config_jobs(parsed());
    RunContext run{.pipeline_id = 7, .job_id = 9, .job_name = "test[2]", .attempt_id = 31};
    const auto node = make_assign(spec_of(jobs[3]), run, 0);
    CHECK(node.job_name == "test[2]");
    CHECK(node.environment.at("CIRCLE_JOB") == "test");
    CHECK(node.environment.at("CIRCLE_NODE_INDEX") == "2");
    CHECK(node.environment.at("CIRCLE_NODE_TOTAL") == "3");
    run.job_name = "build";
    const auto plain = make_assign(spec_of(jobs[0]), run, 0);
    CHECK(plain.environment.at("CIRCLE_JOB") == "build");
    CHECK(plain.environment.at("CIRCLE_NODE_INDEX") == "0");
    CHECK(plain.environment.at("CIRCLE_NODE_TOTAL") == "1");
}

TEST_CASE("a stored spec from before nodes reads as no node") {
    auto spec = job_spec_from_json(sample_spec());
    REQUIRE(spec.ok());
    CHECK_FALSE(spec.value().node.has_value());
}

TEST_CASE("the job after a parallel job runs only once every node succeeded") {
    Store store;
    const PipelineId id = add_pipeline(store.db);
    REQUIRE(lifecycle::record_jobs(store.db, store.statuses, id, config_jobs(parsed()), kT0));
    const RunnerId runner = add_runner(store.db, "runner-1");
    run_job(store, job_named(store.db, id, "build").id, runner, AttemptState::success, kT0 + 10);
    for (const char* node : {"test[0]", "test[1]", "test[2]"}) {
        CHECK(job_named(store.db, id, node).status == JobState::queued);  // all at once
    }
    run_job(store, job_named(store.db, id, "test[2]").id, runner, AttemptState::success, kT0 + 20);
    run_job(store, job_named(store.db, id, "test[0]").id, runner, AttemptState::success, kT0 + 30);
    CHECK(job_named(store.db, id, "deploy").status == JobState::blocked);
    run_job(store, job_named(store.db, id, "test[1]").id, runner, AttemptState::success, kT0 + 40);
    CHECK(job_named(store.db, id, "deploy").status == JobState::queued);
}

TEST_CASE("one failed node fails the pipeline and skips the job after it") {
    Store store;
    const PipelineId id = add_pipeline(store.db);
    REQUIRE(lifecycle::record_jobs(store.db, store.statuses, id, config_jobs(parsed()), kT0));
    const RunnerId runner = add_runner(store.db, "runner-1");
    run_job(store, job_named(store.db, id, "build").id, runner, AttemptState::success, kT0 + 10);
    run_job(store, job_named(store.db, id, "test[0]").id, runner, AttemptState::success, kT0 + 20);
    run_job(store, job_named(store.db, id, "test[1]").id, runner, AttemptState::failed, kT0 + 30);
    CHECK(job_named(store.db, id, "deploy").status == JobState::skipped);
    run_job(store, job_named(store.db, id, "test[2]").id, runner, AttemptState::success, kT0 + 40);
    CHECK(pipeline_row(store.db, id).status == PipelineState::failed);
}
