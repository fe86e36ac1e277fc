// Jobs that never reach a runner (domain/job_kind.h): an approval job waits on_hold once what
// it requires succeeded, until `approve` names it, then succeeds and lets the jobs after it
// run; a no-op job succeeds as soon as it is ready. Laid out by record_jobs, as the preparer
// does.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "coordinator/lifecycle/approval.h"
#include "coordinator/lifecycle/preparation.h"
#include "coordinator/lifecycle/retry.h"
#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

namespace {

lifecycle::ConfigJob config_job(const std::string& name, JobKind kind,
                                const std::vector<std::string>& required = {}) {
    return {name, required, kind == JobKind::build ? sample_spec() : "{}", {}, kind};
}

/// build -> hold (approval) -> deploy, prepared.
PipelineId add_gated_pipeline(Store& store) {
    PipelineId id = add_pipeline(store.db);
    REQUIRE(lifecycle::record_jobs(
        store.db, store.statuses, id,
        {config_job("build", JobKind::build), config_job("hold", JobKind::approval, {"build"}),
         config_job("deploy", JobKind::build, {"hold"})},
        kT0));
    return id;
}

std::string last_status(Database& db, const std::string& context) {
    std::string found;
    for (const auto& row : outbox_rows(db)) {
        if (row.context == context) found = row.state + ": " + row.description;
    }
    return found;
}

lifecycle::ApproveOutcome approve_job(Store& store, PipelineId id, const std::string& job,
                                      int64_t now) {
    return lifecycle::approve(store.db, store.statuses, id, job, "admin", now);
}

}  // namespace

TEST_CASE("an approval job holds once what it requires succeeded, and is never dispatched") {
    Store store;
    PipelineId id = add_gated_pipeline(store);
    RunnerId runner = add_runner(store.db, "runner-1");
    CHECK(job_named(store.db, id, "hold").kind == JobKind::approval);
    CHECK(job_named(store.db, id, "hold").status == JobState::blocked);

    run_job(store, job_named(store.db, id, "build").id, runner, AttemptState::success, kT0 + 10);
    JobRow hold = job_named(store.db, id, "hold");
    CHECK(hold.status == JobState::on_hold);
    CHECK(hold.started_at == kT0 + 1010);  // its wait is the job
    CHECK(job_named(store.db, id, "deploy").status == JobState::blocked);
    CHECK(pipelines::queued_jobs(store.db, 10).empty());
    CHECK_FALSE(lifecycle::dispatch_job(store.db, hold.id, runner, kT0 + 20).has_value());
    // The pipeline ran a job, and waits: it stays running.
    CHECK(pipeline_row(store.db, id).status == PipelineState::running);
    CHECK(pipelines::held_job_names(store.db, id) == std::vector<std::string>{"hold"});
    CHECK(last_status(store.db, "fmg/hold") ==
          "pending: Job hold is waiting for approval (fmg approve " + std::to_string(id) +
              " hold)");
}

TEST_CASE("approving an approval job passes it, records who and when, and runs what follows") {
    Store store;
    PipelineId id = add_gated_pipeline(store);
    RunnerId runner = add_runner(store.db, "runner-1");
    run_job(store, job_named(store.db, id, "build").id, runner, AttemptState::success, kT0 + 10);

    auto outcome = approve_job(store, id, "hold", kT0 + 5000);
    REQUIRE_FALSE(outcome.refused);
    CHECK(outcome.passed == std::vector<std::string>{"hold"});
    CHECK(outcome.released.empty());
    JobRow hold = job_named(store.db, id, "hold");
    CHECK(hold.status == JobState::success);
    CHECK(hold.approved_by == "admin");
    CHECK(hold.approved_at == kT0 + 5000);
    CHECK(hold.finished_at == kT0 + 5000);
    CHECK(hold.current_attempt_id == std::nullopt);  // nothing ran
    CHECK(last_status(store.db, "fmg/hold") == "success: Job hold approved by admin");
    CHECK(job_named(store.db, id, "deploy").status == JobState::queued);
    CHECK(last_status(store.db, "fmg/deploy") == "pending: Job deploy is queued");

    // Approving it again: a conflict that says what it is, and changes nothing.
    auto again = approve_job(store, id, "hold", kT0 + 6000);
    REQUIRE(again.refused);
    CHECK(*again.refused == lifecycle::ApproveRefusal::nothing_held);
    CHECK(again.message == "job hold of pipeline " + std::to_string(id) +
                               " is not waiting for approval (it is success, approved by admin)");
    CHECK(job_named(store.db, id, "hold").approved_at == kT0 + 5000);

    run_job(store, job_named(store.db, id, "deploy").id, runner, AttemptState::success, kT0 + 7000);
    CHECK(pipeline_row(store.db, id).status == PipelineState::success);
}

TEST_CASE("an approval job not yet on hold, or of another pipeline's kind, is not approved") {
    Store store;
    PipelineId id = add_gated_pipeline(store);
    // Still blocked on build: nothing to approve yet.
    auto early = approve_job(store, id, "hold", kT0 + 1);
    REQUIRE(early.refused);
    CHECK(*early.refused == lifecycle::ApproveRefusal::nothing_held);
    CHECK_THAT(early.message, Catch::Contains("not waiting for approval (it is blocked)"));
    CHECK(job_named(store.db, id, "hold").status == JobState::blocked);

    auto unknown = approve_job(store, id, "nope", kT0 + 1);
    REQUIRE(unknown.refused);
    CHECK(*unknown.refused == lifecycle::ApproveRefusal::no_job);

    // The pipeline as a whole is no fork's: refused, pointing at the job-by-name form.
    RunnerId runner = add_runner(store.db, "runner-1");
    run_job(store, job_named(store.db, id, "build").id, runner, AttemptState::success, kT0 + 10);
    auto whole = lifecycle::approve(store.db, store.statuses, id, std::nullopt, "admin", kT0 + 20);
    REQUIRE(whole.refused);
    CHECK_THAT(whole.message, Catch::Contains("fmg approve " + std::to_string(id) + " hold"));
    CHECK(job_named(store.db, id, "hold").status == JobState::on_hold);
}

TEST_CASE("approving a fork's pipeline as a whole leaves its approval jobs on hold") {
    Store store;
    PipelineId id = pipelines::insert(
        store.db, {kRepo, "https://github.com/forker/hello.git", "refs/heads/patch", kSha,
                   "pull_request", kT0, std::nullopt, std::string("forker/hello")});
    REQUIRE(lifecycle::record_jobs(
        store.db, store.statuses, id,
        {config_job("gate", JobKind::approval), config_job("build", JobKind::build)}, kT0));
    CHECK(job_named(store.db, id, "gate").status == JobState::on_hold);
    CHECK(job_named(store.db, id, "build").status == JobState::on_hold);

    auto whole = lifecycle::approve(store.db, store.statuses, id, std::nullopt, "admin", kT0 + 5);
    REQUIRE_FALSE(whole.refused);
    CHECK(whole.released == std::vector<std::string>{"build"});
    CHECK(job_named(store.db, id, "gate").status == JobState::on_hold);

    auto gate = approve_job(store, id, "gate", kT0 + 6);
    REQUIRE_FALSE(gate.refused);
    CHECK(gate.passed == std::vector<std::string>{"gate"});
}

TEST_CASE("cancelling a pipeline cancels its approval job on hold") {
    Store store;
    PipelineId id = add_gated_pipeline(store);
    RunnerId runner = add_runner(store.db, "runner-1");
    run_job(store, job_named(store.db, id, "build").id, runner, AttemptState::success, kT0 + 10);

    lifecycle::cancel_pipeline(store.db, store.statuses, id, kT0 + 20);
    CHECK(job_named(store.db, id, "hold").status == JobState::cancelled);
    CHECK(job_named(store.db, id, "deploy").status == JobState::cancelled);
    CHECK(pipeline_row(store.db, id).status == PipelineState::cancelled);
    CHECK(last_status(store.db, "fmg/hold") == "error: Job hold was cancelled");

    auto late = approve_job(store, id, "hold", kT0 + 30);
    REQUIRE(late.refused);
    CHECK(*late.refused == lifecycle::ApproveRefusal::nothing_held);
}

TEST_CASE("approving the last job ends the pipeline, and a retry waits for approval again") {
    Store store;
    PipelineId id = add_pipeline(store.db);
    REQUIRE(lifecycle::record_jobs(
        store.db, store.statuses, id,
        {config_job("build", JobKind::build), config_job("release", JobKind::approval, {"build"}),
         config_job("lint", JobKind::build)},
        kT0));
    RunnerId runner = add_runner(store.db, "runner-1");
    run_job(store, job_named(store.db, id, "build").id, runner, AttemptState::success, kT0 + 10);
    run_job(store, job_named(store.db, id, "lint").id, runner, AttemptState::failed, kT0 + 20);
    CHECK(pipeline_row(store.db, id).status == PipelineState::running);  // release waits

    REQUIRE_FALSE(approve_job(store, id, "release", kT0 + 3000).refused);
    CHECK(pipeline_row(store.db, id).status == PipelineState::failed);  // lint failed

    // The retry carries the approved job over, as any job that succeeded.
    auto retried = lifecycle::retry_pipeline(store.db, store.statuses, id, kT0 + 4000);
    REQUIRE(retried);
    CHECK(job_named(store.db, retried->id, "release").status == JobState::success);
    CHECK(job_named(store.db, retried->id, "release").kind == JobKind::approval);
    CHECK(job_named(store.db, retried->id, "lint").status == JobState::queued);
}

TEST_CASE("a retry holds an approval job that was never approved") {
    Store store;
    PipelineId id = add_gated_pipeline(store);
    RunnerId runner = add_runner(store.db, "runner-1");
    run_job(store, job_named(store.db, id, "build").id, runner, AttemptState::success, kT0 + 10);
    lifecycle::cancel_pipeline(store.db, store.statuses, id, kT0 + 20);

    auto retried = lifecycle::retry_pipeline(store.db, store.statuses, id, kT0 + 30);
    REQUIRE(retried);
    CHECK(job_named(store.db, retried->id, "build").status == JobState::success);
    CHECK(job_named(store.db, retried->id, "hold").status == JobState::on_hold);
    CHECK(job_named(store.db, retried->id, "deploy").status == JobState::blocked);
    CHECK(pipelines::queued_jobs(store.db, 10).empty());
}

TEST_CASE("a no-op job succeeds as soon as it is ready, without a runner") {
    Store store;
    PipelineId id = add_pipeline(store.db);
    REQUIRE(lifecycle::record_jobs(
        store.db, store.statuses, id,
        {config_job("start", JobKind::no_op), config_job("build", JobKind::build, {"start"}),
         config_job("done", JobKind::no_op, {"build"})},
        kT0));
    JobRow start = job_named(store.db, id, "start");
    CHECK(start.status == JobState::success);
    CHECK(start.started_at == kT0);
    CHECK(start.finished_at == kT0);
    CHECK(last_status(store.db, "fmg/start") == "success: Job start passed (no-op)");
    CHECK(job_named(store.db, id, "build").status == JobState::queued);

    RunnerId runner = add_runner(store.db, "runner-1");
    run_job(store, job_named(store.db, id, "build").id, runner, AttemptState::success, kT0 + 10);
    CHECK(job_named(store.db, id, "done").status == JobState::success);
    CHECK(pipeline_row(store.db, id).status == PipelineState::success);

    // A pipeline of no-op jobs only ends at once.
    PipelineId empty = add_pipeline(store.db);
    REQUIRE(lifecycle::record_jobs(
        store.db, store.statuses, empty,
        {config_job("a", JobKind::no_op), config_job("b", JobKind::no_op, {"a"})}, kT0));
    CHECK(job_named(store.db, empty, "b").status == JobState::success);
    CHECK(pipeline_row(store.db, empty).status == PipelineState::success);
}

TEST_CASE("job kinds keep their names in the store") {
    for (JobKind kind : {JobKind::build, JobKind::approval, JobKind::no_op}) {
        CHECK(parse_job_kind(to_string(kind)) == kind);
    }
    CHECK(to_string(JobKind::no_op) == "no-op");
    CHECK_FALSE(parse_job_kind("manual").has_value());
}
