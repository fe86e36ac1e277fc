// The preparer's and the HTTP threads' lifecycle operations on a real SQLite file: recording
// a pipeline's jobs or its config error, and a user's cancel request.

#include "coordinator/lifecycle/preparation.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "coordinator/lifecycle/operations.h"
#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

namespace {

std::vector<std::string> statuses_of(Database& db) {
    std::vector<std::string> out;
    for (const auto& row : outbox_rows(db)) {
        out.push_back(row.context + "=" + row.state + ": " + row.description);
    }
    return out;
}

}  // namespace

TEST_CASE("recording a config's jobs: ready ones queued with a pending status, others blocked") {
    Store store;
    PipelineId id = add_pipeline(store.db);
    REQUIRE(lifecycle::record_jobs(store.db, store.statuses, id,
                                   {{"build", {}, sample_spec()},
                                    {"test", {"build"}, sample_spec()},
                                    {"lint", {}, sample_spec()}},
                                   kT0));
    CHECK(job_named(store.db, id, "build").status == JobState::queued);
    CHECK(job_named(store.db, id, "test").status == JobState::blocked);
    CHECK(job_named(store.db, id, "lint").status == JobState::queued);
    CHECK(job_named(store.db, id, "lint").position == 2);
    auto pipeline = pipeline_row(store.db, id);
    CHECK(pipeline.prepared);
    CHECK(pipeline.status == PipelineState::queued);
    CHECK(statuses_of(store.db) ==
          std::vector<std::string>{"fmg/build=pending: Job build is queued",
                                   "fmg/lint=pending: Job lint is queued"});
    CHECK(outbox_rows(store.db)[0].target_url == target_url_of(id));
}

TEST_CASE("a config that selects no jobs ends its pipeline in success") {
    Store store;
    PipelineId id = add_pipeline(store.db);
    REQUIRE(lifecycle::record_jobs(store.db, store.statuses, id, {}, kT0 + 5));
    auto pipeline = pipeline_row(store.db, id);
    CHECK(pipeline.status == PipelineState::success);
    CHECK(pipeline.finished_at == kT0 + 5);
    CHECK(pipeline.prepared);
    CHECK(outbox_rows(store.db).empty());
}

TEST_CASE("a config error ends the pipeline in error with an error status for fmg/config") {
    Store store;
    PipelineId id = add_pipeline(store.db);
    lifecycle::fail_preparation(store.db, store.statuses, id, "config.yml:3:5: unknown key",
                                kT0 + 7);
    auto pipeline = pipeline_row(store.db, id);
    CHECK(pipeline.status == PipelineState::error);
    CHECK(pipeline.error == "config.yml:3:5: unknown key");
    CHECK(pipeline.finished_at == kT0 + 7);
    CHECK(pipeline.prepared);
    CHECK(statuses_of(store.db) ==
          std::vector<std::string>{"fmg/config=error: config.yml:3:5: unknown key"});
}

TEST_CASE("a pipeline cancelled while it was prepared gets no jobs and keeps its end") {
    Store store;
    PipelineId id = add_pipeline(store.db);
    REQUIRE_FALSE(lifecycle::request_cancel(store.db, id).refused);
    lifecycle::cancel_pipeline(store.db, store.statuses, id, kT0 + 1);
    REQUIRE(pipeline_row(store.db, id).status == PipelineState::cancelled);

    CHECK_FALSE(lifecycle::record_jobs(store.db, store.statuses, id, {{"build", {}, sample_spec()}},
                                       kT0 + 2));
    CHECK(pipelines::jobs_of(store.db, id).empty());
    lifecycle::fail_preparation(store.db, store.statuses, id, "fetch failed", kT0 + 3);
    auto pipeline = pipeline_row(store.db, id);
    CHECK(pipeline.status == PipelineState::cancelled);
    CHECK_FALSE(pipeline.error.has_value());
    CHECK(pipeline.prepared);
    CHECK(outbox_rows(store.db).empty());
}

TEST_CASE("a cancel request is recorded for an open pipeline, refused otherwise") {
    Store store;
    auto missing = lifecycle::request_cancel(store.db, 999);
    CHECK(missing.refused == lifecycle::CancelRefusal::no_pipeline);
    CHECK(missing.message == "no pipeline 999");

    PipelineId open = add_pipeline(store.db);
    CHECK_FALSE(lifecycle::request_cancel(store.db, open).refused);
    CHECK(pipeline_row(store.db, open).cancel_requested);
    CHECK(pipelines::with_cancel_requested(store.db) == std::vector<PipelineId>{open});

    PipelineId ended = add_pipeline(store.db);
    REQUIRE(lifecycle::record_jobs(store.db, store.statuses, ended, {}, kT0));
    auto refused = lifecycle::request_cancel(store.db, ended);
    CHECK(refused.refused == lifecycle::CancelRefusal::ended);
    CHECK(refused.message == "pipeline " + std::to_string(ended) + " already ended: success");
    CHECK_FALSE(pipeline_row(store.db, ended).cancel_requested);
}
