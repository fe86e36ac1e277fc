// Jobs that require others: what ending one job does to the jobs after it (queued with a
// `pending` status, or skipped with none) and when the pipeline ends.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "coordinator/lifecycle/operations.h"
#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

namespace {

/// "context=state" of every status in the outbox, oldest first.
std::vector<std::string> status_log(Database& db) {
    std::vector<std::string> out;
    for (const auto& row : outbox_rows(db)) out.push_back(row.context + "=" + row.state);
    return out;
}

}  // namespace

TEST_CASE("a failed job skips the chain after it, and skipped jobs get no status") {
    Store store;
    PipelineId pipeline = add_pipeline(store.db);
    JobId a = add_job(store.db, pipeline, "a", 0);
    add_job(store.db, pipeline, "b", 1, {"a"});
    add_job(store.db, pipeline, "c", 2, {"b"});
    RunnerId runner = add_runner(store.db, "runner-1");

    run_job(store, a, runner, AttemptState::failed, kT0);

    CHECK(job_named(store.db, pipeline, "a").status == JobState::failed);
    CHECK(job_named(store.db, pipeline, "b").status == JobState::skipped);
    CHECK(job_named(store.db, pipeline, "c").status == JobState::skipped);
    CHECK(job_named(store.db, pipeline, "c").finished_at.has_value());
    CHECK(pipelines::attempts_of(store.db, job_named(store.db, pipeline, "b").id).empty());
    auto p = pipeline_row(store.db, pipeline);
    CHECK(p.status == PipelineState::failed);
    CHECK(p.finished_at.has_value());
    CHECK(pipelines::failed_job_names(store.db, pipeline) == std::vector<std::string>{"a"});
    CHECK(status_log(store.db) == std::vector<std::string>{"fmg/a=failure"});
    CHECK(pipelines::queued_jobs(store.db, 10).empty());
}

TEST_CASE("a succeeded job queues the job that requires it, with a pending status") {
    Store store;
    PipelineId pipeline = add_pipeline(store.db);
    JobId a = add_job(store.db, pipeline, "a", 0);
    JobId b = add_job(store.db, pipeline, "b", 1, {"a"});
    RunnerId runner = add_runner(store.db, "runner-1");
    CHECK(job_named(store.db, pipeline, "b").status == JobState::blocked);
    CHECK_FALSE(lifecycle::dispatch_job(store.db, b, runner, kT0).has_value());

    run_job(store, a, runner, AttemptState::success, kT0);

    CHECK(job_named(store.db, pipeline, "b").status == JobState::queued);
    CHECK(pipeline_row(store.db, pipeline).status == PipelineState::running);
    CHECK_FALSE(pipeline_row(store.db, pipeline).finished_at.has_value());
    CHECK(status_log(store.db) == std::vector<std::string>{"fmg/a=success", "fmg/b=pending"});
    auto pending = outbox_rows(store.db).back();
    CHECK(pending.target_url == target_url_of(pipeline));
    CHECK(pending.sha == kSha);
    auto queued = pipelines::queued_jobs(store.db, 10);
    REQUIRE(queued.size() == 1);
    CHECK(queued[0].name == "b");

    run_job(store, b, runner, AttemptState::success, kT0 + 10'000);
    CHECK(pipeline_row(store.db, pipeline).status == PipelineState::success);
    CHECK(status_log(store.db) ==
          std::vector<std::string>{"fmg/a=success", "fmg/b=pending", "fmg/b=success"});
}

TEST_CASE("a diamond runs its last job only after both middle jobs succeeded") {
    // a -> b, a -> c, (b, c) -> d
    Store store;
    PipelineId pipeline = add_pipeline(store.db);
    JobId a = add_job(store.db, pipeline, "a", 0);
    add_job(store.db, pipeline, "b", 1, {"a"});
    add_job(store.db, pipeline, "c", 2, {"a"});
    add_job(store.db, pipeline, "d", 3, {"b", "c"});
    RunnerId runner_1 = add_runner(store.db, "runner-1");
    RunnerId runner_2 = add_runner(store.db, "runner-2");

    run_job(store, a, runner_1, AttemptState::success, kT0);
    CHECK(job_named(store.db, pipeline, "b").status == JobState::queued);
    CHECK(job_named(store.db, pipeline, "c").status == JobState::queued);
    CHECK(job_named(store.db, pipeline, "d").status == JobState::blocked);
    CHECK(status_log(store.db) ==
          std::vector<std::string>{"fmg/a=success", "fmg/b=pending", "fmg/c=pending"});

    // b and c run in parallel on two runners.
    AttemptId b_attempt =
        start_job(store.db, job_named(store.db, pipeline, "b").id, runner_1, kT0 + 2000);
    AttemptId c_attempt =
        start_job(store.db, job_named(store.db, pipeline, "c").id, runner_2, kT0 + 2000);

    SECTION("both succeed: d is queued after the second") {
        REQUIRE(lifecycle::finish_attempt(store.db, store.statuses, b_attempt,
                                          AttemptState::success, std::nullopt, kT0 + 3000));
        CHECK(job_named(store.db, pipeline, "d").status == JobState::blocked);
        REQUIRE(lifecycle::finish_attempt(store.db, store.statuses, c_attempt,
                                          AttemptState::success, std::nullopt, kT0 + 4000));
        CHECK(job_named(store.db, pipeline, "d").status == JobState::queued);
        CHECK(status_log(store.db).back() == "fmg/d=pending");

        run_job(store, job_named(store.db, pipeline, "d").id, runner_1, AttemptState::success,
                kT0 + 5000);
        CHECK(pipeline_row(store.db, pipeline).status == PipelineState::success);
        CHECK(pipeline_row(store.db, pipeline).finished_at == kT0 + 6000);
    }
    SECTION("one fails: d is skipped at once, the pipeline waits for the other, then fails") {
        REQUIRE(lifecycle::finish_attempt(store.db, store.statuses, b_attempt, AttemptState::failed,
                                          std::nullopt, kT0 + 3000));
        CHECK(job_named(store.db, pipeline, "d").status == JobState::skipped);
        CHECK(pipeline_row(store.db, pipeline).status == PipelineState::running);

        REQUIRE(lifecycle::finish_attempt(store.db, store.statuses, c_attempt,
                                          AttemptState::success, std::nullopt, kT0 + 4000));
        CHECK(pipeline_row(store.db, pipeline).status == PipelineState::failed);
        CHECK(pipeline_row(store.db, pipeline).finished_at == kT0 + 4000);
        CHECK(pipelines::failed_job_names(store.db, pipeline) == std::vector<std::string>{"b"});
        CHECK(status_log(store.db) == std::vector<std::string>{"fmg/a=success", "fmg/b=pending",
                                                               "fmg/c=pending", "fmg/b=failure",
                                                               "fmg/c=success"});
    }
}
