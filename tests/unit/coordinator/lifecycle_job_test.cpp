// One job's life through the durable lifecycle operations, on a real SQLite file: dispatch,
// start, success or failure, the GitHub statuses queued for it, and results from attempts
// that are no longer current.

#include <catch2/catch.hpp>
#include <string>

#include "coordinator/lifecycle/operations.h"
#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

TEST_CASE("dispatching a queued job makes an assigned attempt and a running pipeline") {
    Store store;
    PipelineId pipeline = add_pipeline(store.db);
    JobId job = add_job(store.db, pipeline, "build", 0);
    RunnerId runner = add_runner(store.db, "runner-1");

    auto dispatched = lifecycle::dispatch_job(store.db, job, runner, kT0 + 100);
    REQUIRE(dispatched.has_value());
    CHECK(dispatched->number == 1);

    auto attempt = attempt_row(store.db, dispatched->attempt_id);
    CHECK(attempt.status == AttemptState::assigned);
    CHECK(attempt.number == 1);
    CHECK(attempt.runner_host == "runner-1");
    auto row = job_named(store.db, pipeline, "build");
    CHECK(row.status == JobState::running);
    CHECK(row.current_attempt_id == dispatched->attempt_id);
    CHECK(row.started_at == kT0 + 100);
    auto p = pipeline_row(store.db, pipeline);
    CHECK(p.status == PipelineState::running);
    CHECK(p.started_at == kT0 + 100);
    CHECK_FALSE(p.finished_at.has_value());

    // A job that is no longer queued is not dispatched twice.
    CHECK_FALSE(lifecycle::dispatch_job(store.db, job, runner, kT0 + 200).has_value());
    CHECK(pipelines::attempts_of(store.db, job).size() == 1);

    // The runner accepts: assigned -> running, once.
    CHECK(lifecycle::start_attempt(store.db, dispatched->attempt_id, kT0 + 300));
    attempt = attempt_row(store.db, dispatched->attempt_id);
    CHECK(attempt.status == AttemptState::running);
    CHECK(attempt.started_at == kT0 + 300);
    CHECK_FALSE(lifecycle::start_attempt(store.db, dispatched->attempt_id, kT0 + 400));
    // Dispatching queues no status: `pending` was posted when the job was queued.
    CHECK(outbox_rows(store.db).empty());
}

TEST_CASE("a successful attempt ends its job and pipeline in success with a success status") {
    Store store;
    PipelineId pipeline = add_pipeline(store.db);
    JobId job = add_job(store.db, pipeline, "build", 0);
    RunnerId runner = add_runner(store.db, "runner-1");
    AttemptId attempt = start_job(store.db, job, runner, kT0 + 100);

    REQUIRE(lifecycle::finish_attempt(store.db, store.statuses, attempt, AttemptState::success,
                                      std::nullopt, kT0 + 5000));

    CHECK(attempt_row(store.db, attempt).status == AttemptState::success);
    CHECK(attempt_row(store.db, attempt).finished_at == kT0 + 5000);
    auto row = job_named(store.db, pipeline, "build");
    CHECK(row.status == JobState::success);
    CHECK(row.finished_at == kT0 + 5000);
    auto p = pipeline_row(store.db, pipeline);
    CHECK(p.status == PipelineState::success);
    CHECK(p.started_at == kT0 + 100);
    CHECK(p.finished_at == kT0 + 5000);
    CHECK_FALSE(p.error.has_value());
    CHECK(pipelines::failed_job_names(store.db, pipeline).empty());

    auto statuses = outbox_rows(store.db);
    REQUIRE(statuses.size() == 1);
    CHECK(statuses[0].repo == kRepo);
    CHECK(statuses[0].sha == kSha);
    CHECK(statuses[0].context == "fmg/build");
    CHECK(statuses[0].state == "success");
    CHECK(statuses[0].target_url == target_url_of(pipeline));
    CHECK_THAT(statuses[0].description, Catch::Contains("build"));
    CHECK(statuses[0].next_try_at == kT0 + 5000);  // sent at once
    CHECK(statuses[0].tries == 0);
}

TEST_CASE("a failed attempt fails its pipeline and posts GitHub's 'failure'") {
    Store store;
    PipelineId pipeline = add_pipeline(store.db);
    JobId job = add_job(store.db, pipeline, "test", 0);
    RunnerId runner = add_runner(store.db, "runner-1");
    AttemptId attempt = start_job(store.db, job, runner, kT0 + 100);

    REQUIRE(lifecycle::finish_attempt(store.db, store.statuses, attempt, AttemptState::failed,
                                      std::string("step 'make test' exited with 2"), kT0 + 900));

    CHECK(attempt_row(store.db, attempt).status == AttemptState::failed);
    CHECK(attempt_row(store.db, attempt).error == "step 'make test' exited with 2");
    CHECK(job_named(store.db, pipeline, "test").status == JobState::failed);
    auto p = pipeline_row(store.db, pipeline);
    CHECK(p.status == PipelineState::failed);
    CHECK(p.finished_at == kT0 + 900);
    CHECK(pipelines::failed_job_names(store.db, pipeline) == std::vector<std::string>{"test"});

    auto statuses = outbox_rows(store.db);
    REQUIRE(statuses.size() == 1);
    CHECK(statuses[0].context == "fmg/test");
    CHECK(statuses[0].state == "failure");
    CHECK(statuses[0].target_url == target_url_of(pipeline));
}

TEST_CASE("an attempt that errored ends the job in error with GitHub's 'error'") {
    Store store;
    PipelineId pipeline = add_pipeline(store.db);
    JobId job = add_job(store.db, pipeline, "build", 0);
    AttemptId attempt = start_job(store.db, job, add_runner(store.db, "runner-1"), kT0);

    REQUIRE(lifecycle::finish_attempt(store.db, store.statuses, attempt, AttemptState::error,
                                      std::string("image cimg/base:2024.01 not found"), kT0 + 1));

    CHECK(job_named(store.db, pipeline, "build").status == JobState::error);
    CHECK(pipeline_row(store.db, pipeline).status == PipelineState::error);
    auto statuses = outbox_rows(store.db);
    REQUIRE(statuses.size() == 1);
    CHECK(statuses[0].state == "error");
    CHECK(statuses[0].description == "image cimg/base:2024.01 not found");
}

TEST_CASE("results of an attempt that is over or no longer current change nothing") {
    Store store;
    PipelineId pipeline = add_pipeline(store.db);
    JobId job = add_job(store.db, pipeline, "build", 0);
    RunnerId first_runner = add_runner(store.db, "runner-1");
    RunnerId second_runner = add_runner(store.db, "runner-2");
    AttemptId first = start_job(store.db, job, first_runner, kT0);
    lifecycle::lose_attempt(store.db, store.statuses, first, AttemptState::lost,
                            "runner-1 silent for 3012 ms", 3, kT0 + 3000);
    AttemptId second = start_job(store.db, job, second_runner, kT0 + 3100);
    REQUIRE(second != first);

    SECTION("the lost attempt reports success later: refused") {
        CHECK_FALSE(lifecycle::finish_attempt(store.db, store.statuses, first,
                                              AttemptState::success, std::nullopt, kT0 + 4000));
        CHECK(attempt_row(store.db, first).status == AttemptState::lost);
        CHECK(attempt_row(store.db, second).status == AttemptState::running);
        auto row = job_named(store.db, pipeline, "build");
        CHECK(row.status == JobState::running);
        CHECK(row.current_attempt_id == second);
        CHECK(pipeline_row(store.db, pipeline).status == PipelineState::running);
        CHECK(outbox_rows(store.db).empty());
    }
    SECTION("an attempt that is not the job's current one, though not ended, is refused") {
        // Force the first attempt back to running as a confused store would have it.
        pipelines::set_attempt_status(store.db, first, AttemptState::lost, AttemptState::running,
                                      std::nullopt, std::nullopt, std::nullopt);
        CHECK_FALSE(lifecycle::finish_attempt(store.db, store.statuses, first, AttemptState::failed,
                                              std::nullopt, kT0 + 4000));
        CHECK(job_named(store.db, pipeline, "build").status == JobState::running);
        CHECK(outbox_rows(store.db).empty());
    }
    SECTION("the current attempt's result counts, once") {
        CHECK(lifecycle::finish_attempt(store.db, store.statuses, second, AttemptState::success,
                                        std::nullopt, kT0 + 4000));
        CHECK_FALSE(lifecycle::finish_attempt(store.db, store.statuses, second,
                                              AttemptState::failed, std::nullopt, kT0 + 5000));
        CHECK(job_named(store.db, pipeline, "build").status == JobState::success);
        CHECK(pipeline_row(store.db, pipeline).status == PipelineState::success);
        CHECK(pipeline_row(store.db, pipeline).finished_at == kT0 + 4000);
        CHECK(outbox_rows(store.db).size() == 1);
    }
    SECTION("an unknown attempt is refused") {
        CHECK_FALSE(lifecycle::finish_attempt(store.db, store.statuses, second + 1000,
                                              AttemptState::success, std::nullopt, kT0 + 4000));
        CHECK_FALSE(lifecycle::start_attempt(store.db, second + 1000, kT0 + 4000));
    }
}

TEST_CASE("a pipeline without a commit yet queues no statuses") {
    // A manual trigger whose sha is not resolved has nothing GitHub could attach a status to.
    Store store;
    PipelineId pipeline = add_pipeline(store.db, kT0, "");
    JobId job = add_job(store.db, pipeline, "build", 0);
    run_job(store, job, add_runner(store.db, "runner-1"), AttemptState::success, kT0);
    CHECK(pipeline_row(store.db, pipeline).status == PipelineState::success);
    CHECK(outbox_rows(store.db).empty());
}
