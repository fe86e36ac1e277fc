// Pull requests from forks wait for approval (lifecycle/approval.h): held jobs are never
// dispatched, approving releases them (whole pipeline or one job) with who and when, later
// jobs follow the pipeline's approval, a cancel ends held jobs, a retry holds again.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "coordinator/lifecycle/approval.h"
#include "coordinator/lifecycle/retry.h"
#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

namespace {

constexpr const char* kFork = "forker/hello";

/// A fork's pull request as the webhook creates it, with its jobs laid out as the preparer
/// does: ready jobs on_hold with the "waiting for approval" status.
PipelineId add_fork_pipeline(Store& store, const std::optional<std::string>& fork = kFork) {
    PipelineId id = pipelines::insert(
        store.db, {kRepo, "https://github.com/forker/hello.git", "refs/heads/patch", kSha,
                   "pull_request", kT0, std::nullopt, fork});
    return id;
}

JobId add_ready_job(Store& store, PipelineId pipeline, const std::string& name, int64_t position,
                    const std::vector<std::string>& required = {}) {
    auto row = pipeline_row(store.db, pipeline);
    JobState state =
        required.empty() ? lifecycle::ready_state(row, JobKind::build) : JobState::blocked;
    return pipelines::insert_job(store.db, pipeline,
                                 {name, position, state, required, sample_spec()}, kT0);
}

std::vector<std::string> status_log(Database& db) {
    std::vector<std::string> out;
    for (const auto& row : outbox_rows(db)) out.push_back(row.context + "=" + row.state);
    return out;
}

}  // namespace

TEST_CASE("a fork's ready jobs are held, and a held job is never dispatched") {
    Store store;
    PipelineId pipeline = add_fork_pipeline(store);
    JobId a = add_ready_job(store, pipeline, "a", 0);
    RunnerId runner = add_runner(store.db, "runner-1");

    CHECK(job_named(store.db, pipeline, "a").status == JobState::on_hold);
    CHECK(pipelines::queued_jobs(store.db, 10).empty());
    CHECK_FALSE(lifecycle::dispatch_job(store.db, a, runner, kT0).has_value());
    CHECK(pipeline_row(store.db, pipeline).status == PipelineState::queued);
    CHECK(pipelines::held_job_names(store.db, pipeline) == std::vector<std::string>{"a"});
}

TEST_CASE("the held status says why and what to run, within GitHub's 140 characters") {
    Store store;
    PipelineId pipeline = add_fork_pipeline(store);
    auto row = pipeline_row(store.db, pipeline);
    CHECK(
        lifecycle::pending_description(row, "build", lifecycle::ready_state(row, JobKind::build)) ==
        "waiting for approval: pull request from fork forker/hello (fmg approve " +
            std::to_string(pipeline) + ")");

    // The longest names GitHub allows still leave the command whole.
    row.fork_repo = std::string(39, 'o') + "/" + std::string(100, 'n');
    std::string longest =
        lifecycle::pending_description(row, "build", lifecycle::ready_state(row, JobKind::build));
    CHECK(longest.size() <= 140);
    CHECK_THAT(longest, Catch::EndsWith("(fmg approve " + std::to_string(pipeline) + ")"));
    CHECK_THAT(longest, Catch::Contains("..."));

    row.fork_repo = "";  // a deleted fork
    CHECK_THAT(
        lifecycle::pending_description(row, "build", lifecycle::ready_state(row, JobKind::build)),
        Catch::Contains("a deleted fork"));

    row.fork_repo.reset();  // same repository, or trusted
    CHECK(lifecycle::pending_description(
              row, "build", lifecycle::ready_state(row, JobKind::build)) == "Job build is queued");
    CHECK(lifecycle::ready_state(row, JobKind::build) == JobState::queued);
}

TEST_CASE("approving the pipeline queues every held job, records who and when, and says so") {
    Store store;
    PipelineId pipeline = add_fork_pipeline(store);
    add_ready_job(store, pipeline, "a", 0);
    add_ready_job(store, pipeline, "b", 1);
    add_ready_job(store, pipeline, "c", 2, {"a"});

    auto outcome =
        lifecycle::approve(store.db, store.statuses, pipeline, std::nullopt, "admin", kT0 + 5);
    REQUIRE_FALSE(outcome.refused);
    CHECK(outcome.released == std::vector<std::string>{"a", "b"});
    for (const char* name : {"a", "b"}) {
        auto job = job_named(store.db, pipeline, name);
        CHECK(job.status == JobState::queued);
        CHECK(job.approved_by == "admin");
        CHECK(job.approved_at == kT0 + 5);
    }
    CHECK(job_named(store.db, pipeline, "c").status == JobState::blocked);
    auto row = pipeline_row(store.db, pipeline);
    CHECK(row.approved_by == "admin");
    CHECK(row.approved_at == kT0 + 5);
    CHECK(status_log(store.db) == std::vector<std::string>{"fmg/a=pending", "fmg/b=pending"});
    CHECK_THAT(outbox_rows(store.db).back().description, Catch::Contains("approved by admin"));

    // The job after it follows the pipeline's approval: queued, not held.
    RunnerId runner = add_runner(store.db, "runner-1");
    run_job(store, job_named(store.db, pipeline, "a").id, runner, AttemptState::success, kT0 + 10);
    CHECK(job_named(store.db, pipeline, "c").status == JobState::queued);

    // Twice is a conflict, and changes nothing.
    auto again =
        lifecycle::approve(store.db, store.statuses, pipeline, std::nullopt, "admin", kT0 + 20);
    REQUIRE(again.refused);
    CHECK(*again.refused == lifecycle::ApproveRefusal::nothing_held);
    CHECK_THAT(again.message, Catch::Contains("approved already"));
    CHECK(pipeline_row(store.db, pipeline).approved_at == kT0 + 5);
}

TEST_CASE("approving one job releases that job only, and the jobs after it are held again") {
    Store store;
    PipelineId pipeline = add_fork_pipeline(store);
    JobId a = add_ready_job(store, pipeline, "a", 0);
    add_ready_job(store, pipeline, "b", 1);
    add_ready_job(store, pipeline, "c", 2, {"a"});

    auto outcome =
        lifecycle::approve(store.db, store.statuses, pipeline, std::string("a"), "admin", kT0 + 5);
    REQUIRE_FALSE(outcome.refused);
    CHECK(outcome.released == std::vector<std::string>{"a"});
    CHECK(job_named(store.db, pipeline, "a").status == JobState::queued);
    CHECK(job_named(store.db, pipeline, "b").status == JobState::on_hold);
    CHECK_FALSE(pipeline_row(store.db, pipeline).approved_by.has_value());

    RunnerId runner = add_runner(store.db, "runner-1");
    run_job(store, a, runner, AttemptState::success, kT0 + 10);
    CHECK(job_named(store.db, pipeline, "c").status == JobState::on_hold);
    CHECK(pipelines::held_job_names(store.db, pipeline) == std::vector<std::string>{"b", "c"});

    auto twice =
        lifecycle::approve(store.db, store.statuses, pipeline, std::string("a"), "admin", kT0 + 20);
    REQUIRE(twice.refused);
    CHECK(*twice.refused == lifecycle::ApproveRefusal::nothing_held);
    CHECK_THAT(twice.message, Catch::Contains("not waiting for approval"));
}

TEST_CASE("approve refuses unknown pipelines and jobs, and pipelines that hold nothing") {
    Store store;
    auto unknown = lifecycle::approve(store.db, store.statuses, 999, std::nullopt, "admin", kT0);
    REQUIRE(unknown.refused);
    CHECK(*unknown.refused == lifecycle::ApproveRefusal::no_pipeline);

    PipelineId fork = add_fork_pipeline(store);
    add_ready_job(store, fork, "a", 0);
    auto no_job =
        lifecycle::approve(store.db, store.statuses, fork, std::string("zzz"), "admin", kT0);
    REQUIRE(no_job.refused);
    CHECK(*no_job.refused == lifecycle::ApproveRefusal::no_job);

    PipelineId push = add_pipeline(store.db);
    add_job(store.db, push, "a", 0);
    auto not_fork = lifecycle::approve(store.db, store.statuses, push, std::nullopt, "admin", kT0);
    REQUIRE(not_fork.refused);
    CHECK(*not_fork.refused == lifecycle::ApproveRefusal::nothing_held);
    CHECK_THAT(not_fork.message, Catch::Contains("not a pull request from a fork"));
    CHECK(job_named(store.db, fork, "a").status == JobState::on_hold);  // nothing changed
}

TEST_CASE(
    "cancelling a held pipeline cancels its held jobs, and then there is nothing to approve") {
    Store store;
    PipelineId pipeline = add_fork_pipeline(store);
    add_ready_job(store, pipeline, "a", 0);
    add_ready_job(store, pipeline, "b", 1, {"a"});

    auto running = lifecycle::cancel_pipeline(store.db, store.statuses, pipeline, kT0 + 5);
    CHECK(running.empty());
    CHECK(job_named(store.db, pipeline, "a").status == JobState::cancelled);
    CHECK(job_named(store.db, pipeline, "b").status == JobState::cancelled);
    CHECK(pipeline_row(store.db, pipeline).status == PipelineState::cancelled);
    // The held job had a pending status on GitHub: it ends as an error there.
    CHECK(status_log(store.db) == std::vector<std::string>{"fmg/a=error"});

    auto late =
        lifecycle::approve(store.db, store.statuses, pipeline, std::nullopt, "admin", kT0 + 9);
    REQUIRE(late.refused);
    CHECK(*late.refused == lifecycle::ApproveRefusal::nothing_held);
    CHECK(job_named(store.db, pipeline, "a").status == JobState::cancelled);
}

TEST_CASE("a pipeline whose cancel is recorded but not yet carried out cannot be approved") {
    Store store;
    PipelineId pipeline = add_fork_pipeline(store);
    add_ready_job(store, pipeline, "a", 0);
    REQUIRE_FALSE(lifecycle::request_cancel(store.db, pipeline).refused);  // POST .../cancel

    auto outcome =
        lifecycle::approve(store.db, store.statuses, pipeline, std::nullopt, "admin", kT0);
    REQUIRE(outcome.refused);
    CHECK(*outcome.refused == lifecycle::ApproveRefusal::nothing_held);
    CHECK(job_named(store.db, pipeline, "a").status == JobState::on_hold);
}

TEST_CASE("a retry of a fork's pipeline waits for approval again") {
    Store store;
    PipelineId pipeline = add_fork_pipeline(store);
    add_ready_job(store, pipeline, "a", 0);
    lifecycle::cancel_pipeline(store.db, store.statuses, pipeline, kT0 + 5);

    auto retried = lifecycle::retry_pipeline(store.db, store.statuses, pipeline, kT0 + 10);
    REQUIRE(retried);
    auto row = pipeline_row(store.db, retried->id);
    CHECK(row.fork_repo == kFork);
    CHECK_FALSE(row.approved_by.has_value());
    CHECK(job_named(store.db, retried->id, "a").status == JobState::on_hold);
    CHECK(pipelines::queued_jobs(store.db, 10).empty());
    CHECK_THAT(outbox_rows(store.db).back().description, Catch::StartsWith("waiting for approval"));
}
