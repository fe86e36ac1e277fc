// When a blocked job may run (domain/requirements.h), and what the lifecycle does with it: a
// job after a failed one runs when its `requires` item accepts `failed`, and is skipped when
// it accepts only other ends.

#include "coordinator/domain/requirements.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "coordinator/lifecycle/preparation.h"
#include "coordinator/preparer/config_jobs.h"
#include "shared/pipeline/config.h"
#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

namespace {

Readiness readiness_with(const std::vector<std::string>& required,
                         const std::vector<StatusRequirement>& qualified,
                         const std::map<std::string, JobState>& states) {
    return readiness(required, qualified, [&](const std::string& name) -> std::optional<JobState> {
        const auto found = states.find(name);
        if (found == states.end()) return std::nullopt;
        return found->second;
    });
}

PipelineId prepared(Store& store, const std::string& yaml) {
    auto parsed =
        fmg::pipeline::parse_config(yaml, ".circleci/config.yml", fmg::pipeline::RefContext{});
    if (auto* error = std::get_if<fmg::pipeline::ParseError>(&parsed)) FAIL(error->to_string());
    const PipelineId id = add_pipeline(store.db);
    REQUIRE(lifecycle::record_jobs(store.db, store.statuses, id,
                                   config_jobs(std::get<fmg::pipeline::Config>(parsed)), kT0));
    return id;
}

constexpr const char* kReportAfterTests = R"yaml(version: 2
jobs:
  test: {docker: [{image: alpine}], parallelism: 2, steps: [checkout]}
  report: {docker: [{image: alpine}], steps: [checkout]}
  deploy: {docker: [{image: alpine}], steps: [checkout]}
workflows:
  ci:
    jobs:
      - test
      - report: {requires: [{test: [success, failed]}]}
      - deploy: {requires: [test]}
)yaml";

}  // namespace

TEST_CASE("the status of ended jobs together: success, failed, canceled or not_run") {
    using enum JobState;
    CHECK(required_status({success}) == "success");
    CHECK(required_status({success, success}) == "success");
    CHECK(required_status({success, failed}) == "failed");
    CHECK(required_status({error}) == "failed");  // timed out, image not pulled
    CHECK(required_status({cancelled, failed}) == "failed");
    CHECK(required_status({cancelled, success}) == "canceled");
    CHECK(required_status({skipped}) == "not_run");
    CHECK(required_status({skipped, success}) == "not_run");
}

TEST_CASE("a job waits for every required job, then runs or is skipped by their ends") {
    using enum JobState;
    const std::vector<StatusRequirement> cleanup{{{"test"}, {"failed", "success"}}};
    const std::vector<std::string> required{"build", "test"};
    CHECK(readiness_with(required, cleanup, {{"build", success}, {"test", running}}) ==
          Readiness::waiting);
    CHECK(readiness_with(required, cleanup, {{"build", success}, {"test", failed}}) ==
          Readiness::ready);
    CHECK(readiness_with(required, cleanup, {{"build", success}, {"test", cancelled}}) ==
          Readiness::never);
    // build is unqualified: it must succeed.
    CHECK(readiness_with(required, cleanup, {{"build", failed}, {"test", failed}}) ==
          Readiness::never);
    // A job the pipeline does not have counts as succeeded; no requirement is ready at once.
    CHECK(readiness_with({"gone"}, {}, {}) == Readiness::ready);
    CHECK(readiness_with({}, {}, {}) == Readiness::ready);
    // A qualifier over nodes waits for all of them.
    const std::vector<StatusRequirement> nodes{{{"t[0]", "t[1]"}, {"failed"}}};
    CHECK(readiness_with({"t[0]", "t[1]"}, nodes, {{"t[0]", failed}, {"t[1]", queued}}) ==
          Readiness::waiting);
    CHECK(readiness_with({"t[0]", "t[1]"}, nodes, {{"t[0]", failed}, {"t[1]", success}}) ==
          Readiness::ready);
    CHECK(readiness_with({"t[0]", "t[1]"}, nodes, {{"t[0]", success}, {"t[1]", success}}) ==
          Readiness::never);
}

TEST_CASE("status requirements survive their column, and old rows have none") {
    const std::vector<StatusRequirement> requirements{{{"t[0]", "t[1]"}, {"failed", "success"}},
                                                      {{"lint"}, {"canceled"}}};
    CHECK(status_requirements_from_json(to_json(requirements)) == requirements);
    CHECK(status_requirements_from_json("[]").empty());
    CHECK(status_requirements_from_json("not json").empty());
}

TEST_CASE("a report after failed test nodes runs, and a deploy requiring success is skipped") {
    Store store;
    const PipelineId id = prepared(store, kReportAfterTests);
    const RunnerId runner = add_runner(store.db, "runner-1");
    const JobRow report = job_named(store.db, id, "report");
    REQUIRE(report.status_requirements.size() == 1);
    CHECK(report.status_requirements[0].jobs == std::vector<std::string>{"test[0]", "test[1]"});
    run_job(store, job_named(store.db, id, "test[0]").id, runner, AttemptState::failed, kT0 + 10);
    CHECK(job_named(store.db, id, "report").status == JobState::blocked);  // test[1] still runs
    CHECK(job_named(store.db, id, "deploy").status == JobState::skipped);
    run_job(store, job_named(store.db, id, "test[1]").id, runner, AttemptState::success, kT0 + 20);
    CHECK(job_named(store.db, id, "report").status == JobState::queued);
    run_job(store, job_named(store.db, id, "report").id, runner, AttemptState::success, kT0 + 30);
    // What ran after the failure does not make the pipeline succeed.
    CHECK(pipeline_row(store.db, id).status == PipelineState::failed);
}

TEST_CASE("a job accepting only failure is skipped when what it requires succeeded") {
    Store store;
    const PipelineId id = prepared(store, R"yaml(version: 2
jobs:
  test: {docker: [{image: alpine}], steps: [checkout]}
  notify: {docker: [{image: alpine}], steps: [checkout]}
workflows:
  ci:
    jobs:
      - test
      - notify: {requires: [{test: failed}]}
)yaml");
    const RunnerId runner = add_runner(store.db, "runner-1");
    run_job(store, job_named(store.db, id, "test").id, runner, AttemptState::success, kT0 + 10);
    CHECK(job_named(store.db, id, "notify").status == JobState::skipped);
    CHECK(pipeline_row(store.db, id).status == PipelineState::success);
}
