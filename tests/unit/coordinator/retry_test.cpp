// `fmg retry ID`: a finished pipeline runs again on the same commit; jobs that succeeded are
// carried over, the failed ones and those after them run again.

#include "coordinator/lifecycle/retry.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

TEST_CASE("retrying a failed pipeline carries over what passed and reruns the rest") {
    // a (success) -> b (failed) -> c (skipped)
    Store store;
    PipelineId original = add_pipeline(store.db);
    JobId a = add_job(store.db, original, "a", 0);
    add_job(store.db, original, "b", 1, {"a"});
    add_job(store.db, original, "c", 2, {"b"});
    RunnerId runner = add_runner(store.db, "runner-1");
    run_job(store, a, runner, AttemptState::success, kT0);
    run_job(store, job_named(store.db, original, "b").id, runner, AttemptState::failed, kT0 + 5000);
    REQUIRE(pipeline_row(store.db, original).status == PipelineState::failed);
    REQUIRE(job_named(store.db, original, "c").status == JobState::skipped);
    size_t statuses_before = outbox_rows(store.db).size();

    auto retried = lifecycle::retry_pipeline(store.db, store.statuses, original, kT0 + 60'000);

    REQUIRE(retried.ok());
    CHECK(retried->id != original);
    CHECK_FALSE(retried->needs_preparing);
    auto p = pipeline_row(store.db, retried->id);
    CHECK(p.trigger == "retry");
    CHECK(p.status == PipelineState::queued);
    CHECK(p.sha == kSha);
    CHECK(p.ref == "refs/heads/main");
    CHECK(p.repo == kRepo);
    CHECK(p.prepared);
    CHECK(p.created_at == kT0 + 60'000);

    CHECK(job_named(store.db, retried->id, "a").status == JobState::success);
    CHECK(pipelines::attempts_of(store.db, job_named(store.db, retried->id, "a").id).empty());
    CHECK(job_named(store.db, retried->id, "b").status == JobState::queued);
    CHECK(job_named(store.db, retried->id, "c").status == JobState::blocked);
    CHECK(job_named(store.db, retried->id, "c").required_jobs == std::vector<std::string>{"b"});
    CHECK(job_named(store.db, retried->id, "b").spec == job_named(store.db, original, "b").spec);

    // One new status: b is pending again, linked to the new pipeline.
    auto statuses = outbox_rows(store.db);
    REQUIRE(statuses.size() == statuses_before + 1);
    CHECK(statuses.back().context == "fmg/b");
    CHECK(statuses.back().state == "pending");
    CHECK(statuses.back().sha == kSha);
    CHECK(statuses.back().target_url == target_url_of(retried->id));

    // The original is untouched.
    CHECK(pipeline_row(store.db, original).status == PipelineState::failed);
    CHECK(job_named(store.db, original, "b").status == JobState::failed);

    // The retry runs to success.
    run_job(store, job_named(store.db, retried->id, "b").id, runner, AttemptState::success,
            kT0 + 70'000);
    CHECK(job_named(store.db, retried->id, "c").status == JobState::queued);
    run_job(store, job_named(store.db, retried->id, "c").id, runner, AttemptState::success,
            kT0 + 80'000);
    CHECK(pipeline_row(store.db, retried->id).status == PipelineState::success);
}

TEST_CASE("retrying a successful pipeline runs every job again") {
    Store store;
    PipelineId original = add_pipeline(store.db);
    JobId a = add_job(store.db, original, "a", 0);
    add_job(store.db, original, "b", 1, {"a"});
    RunnerId runner = add_runner(store.db, "runner-1");
    run_job(store, a, runner, AttemptState::success, kT0);
    run_job(store, job_named(store.db, original, "b").id, runner, AttemptState::success,
            kT0 + 5000);
    REQUIRE(pipeline_row(store.db, original).status == PipelineState::success);
    size_t statuses_before = outbox_rows(store.db).size();

    auto retried = lifecycle::retry_pipeline(store.db, store.statuses, original, kT0 + 60'000);

    REQUIRE(retried.ok());
    CHECK(job_named(store.db, retried->id, "a").status == JobState::queued);
    CHECK(job_named(store.db, retried->id, "b").status == JobState::blocked);
    auto statuses = outbox_rows(store.db);
    REQUIRE(statuses.size() == statuses_before + 1);
    CHECK(statuses.back().context == "fmg/a");
    CHECK(statuses.back().state == "pending");
}

TEST_CASE("retrying a pipeline whose config never parsed reads the config again") {
    Store store;
    PipelineId original = add_pipeline(store.db);
    pipelines::set_status(store.db, original, PipelineState::queued, PipelineState::error,
                          std::string(".circleci/config.yml:3:5: unknown key 'stesp'"),
                          std::nullopt, kT0);
    pipelines::mark_prepared(store.db, original);

    auto retried = lifecycle::retry_pipeline(store.db, store.statuses, original, kT0 + 1000);

    REQUIRE(retried.ok());
    CHECK(retried->needs_preparing);
    auto p = pipeline_row(store.db, retried->id);
    CHECK(p.status == PipelineState::queued);
    CHECK_FALSE(p.prepared);
    CHECK(pipelines::jobs_of(store.db, retried->id).empty());
}

TEST_CASE("a pipeline that has not finished, or does not exist, is not retried") {
    Store store;
    PipelineId running = add_pipeline(store.db);
    JobId job = add_job(store.db, running, "build", 0);
    start_job(store.db, job, add_runner(store.db, "runner-1"), kT0);
    REQUIRE(pipeline_row(store.db, running).status == PipelineState::running);

    auto refused = lifecycle::retry_pipeline(store.db, store.statuses, running, kT0 + 1000);
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error().message, Catch::Contains(std::to_string(running)));

    auto queued = add_pipeline(store.db);
    CHECK_FALSE(lifecycle::retry_pipeline(store.db, store.statuses, queued, kT0 + 1000).ok());

    auto unknown = lifecycle::retry_pipeline(store.db, store.statuses, 9999, kT0 + 1000);
    REQUIRE_FALSE(unknown.ok());
    CHECK_THAT(unknown.error().message, Catch::Contains("9999"));

    // Nothing was created by the refusals.
    auto [total, rows] = pipelines::list(store.db, {});
    CHECK(total == 2);
}

TEST_CASE("a retry keeps the pull request's number and the trigger's parameters") {
    Store store;
    PipelineId original =
        pipelines::insert(store.db, {.repo = kRepo,
                                     .repo_url = kRepoUrl,
                                     .ref = "refs/heads/feature",
                                     .sha = kSha,
                                     .trigger = "pull_request",
                                     .created_at = kT0,
                                     .retry_of = std::nullopt,
                                     .pr_number = 31,
                                     .parameters = {{"deploy", "true"}, {"target", "a,b=c"}}});
    JobId build = add_job(store.db, original, "build", 0);
    run_job(store, build, add_runner(store.db, "runner-1"), AttemptState::failed, kT0);

    auto retried = lifecycle::retry_pipeline(store.db, store.statuses, original, kT0 + 60'000);

    REQUIRE(retried.ok());
    auto p = pipeline_row(store.db, retried->id);
    CHECK(p.pr_number == 31);
    CHECK(p.parameters ==
          std::map<std::string, std::string>{{"deploy", "true"}, {"target", "a,b=c"}});
    // A push has neither.
    auto push = pipeline_row(store.db, add_pipeline(store.db));
    CHECK_FALSE(push.pr_number);
    CHECK(push.parameters.empty());
}
