// lifecycle::transition on a real SQLite file: every legal move is written, an illegal one
// (or one from a row read before another change) is refused, logged as a bug and not
// written; a revoked runner stays revoked; an unknown state name in the database is an error.

#include "coordinator/lifecycle/transitions.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "coordinator/lifecycle/operations.h"
#include "coordinator/lifecycle/runner_ops.h"
#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

namespace {

/// What the code under test writes to stderr (the log) while it lives.
class StderrCapture {
  public:
    explicit StderrCapture(const std::filesystem::path& file) : file_(file) {
        saved_ = ::dup(STDERR_FILENO);
        int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        REQUIRE(fd >= 0);
        ::dup2(fd, STDERR_FILENO);
        ::close(fd);
    }
    ~StderrCapture() { restore(); }
    StderrCapture(const StderrCapture&) = delete;
    StderrCapture& operator=(const StderrCapture&) = delete;

    /// Everything written so far (stderr is restored first).
    std::string text() {
        restore();
        std::ifstream in(file_);
        std::stringstream out;
        out << in.rdbuf();
        return out.str();
    }

  private:
    void restore() {
        if (saved_ < 0) return;
        ::dup2(saved_, STDERR_FILENO);
        ::close(saved_);
        saved_ = -1;
    }
    std::filesystem::path file_;
    int saved_ = -1;
};

}  // namespace

TEST_CASE("an illegal pipeline move is refused, logged as a bug and not written") {
    Store store;
    PipelineId id = add_pipeline(store.db);
    auto queued = pipeline_row(store.db, id);
    REQUIRE(lifecycle::transition(store.db, queued, PipelineState::success, {kT0, kT0 + 10}));
    auto ended = pipeline_row(store.db, id);
    CHECK(ended.status == PipelineState::success);
    CHECK(ended.finished_at == kT0 + 10);

    StderrCapture log(store.dir.path() / "log");
    CHECK_FALSE(lifecycle::transition(store.db, ended, PipelineState::running, {kT0 + 20}));
    CHECK_FALSE(lifecycle::transition(store.db, ended, PipelineState::error,
                                      {.finished_at = kT0 + 30}, std::string("too late")));
    std::string text = log.text();
    CHECK_THAT(text, Catch::Contains("ERROR") &&
                         Catch::Contains("bug: refused to move pipeline=" + std::to_string(id) +
                                         " from success to running"));
    CHECK_THAT(text, Catch::Contains("from success to error"));

    auto after = pipeline_row(store.db, id);
    CHECK(after.status == PipelineState::success);
    CHECK(after.finished_at == kT0 + 10);
    CHECK_FALSE(after.error.has_value());
}

TEST_CASE("a move from a row read before another change is refused and not written") {
    Store store;
    PipelineId pipeline = add_pipeline(store.db);
    JobId job = add_job(store.db, pipeline, "build", 0);
    auto stale = job_named(store.db, pipeline, "build");  // queued
    REQUIRE(lifecycle::dispatch_job(store.db, job, add_runner(store.db, "runner-1"), kT0));
    REQUIRE(job_named(store.db, pipeline, "build").status == JobState::running);

    // queued -> cancelled is a legal move, but the job is no longer queued.
    StderrCapture log(store.dir.path() / "log");
    CHECK_FALSE(lifecycle::transition(store.db, stale, JobState::cancelled, {.finished_at = kT0}));
    CHECK_THAT(log.text(), Catch::Contains("job=" + std::to_string(job) +
                                           " from queued to cancelled: its row was no longer"));
    CHECK(job_named(store.db, pipeline, "build").status == JobState::running);
    CHECK_FALSE(job_named(store.db, pipeline, "build").finished_at.has_value());
}

TEST_CASE("illegal job, attempt and step moves are refused and not written") {
    Store store;
    PipelineId pipeline = add_pipeline(store.db);
    JobId blocked_id = add_job(store.db, pipeline, "deploy", 1, {"build"});
    JobId build = add_job(store.db, pipeline, "build", 0);
    AttemptId attempt = start_job(store.db, build, add_runner(store.db, "runner-1"), kT0);
    REQUIRE(lifecycle::record_step(store.db, {attempt, 0, StepState::success, 0, kT0, kT0 + 5}));

    StderrCapture log(store.dir.path() / "log");
    // A blocked job never runs before it is queued.
    auto blocked = job_named(store.db, pipeline, "deploy");
    CHECK_FALSE(lifecycle::transition(store.db, blocked, JobState::running, {.started_at = kT0}));
    // A running attempt never goes back to assigned.
    auto running = attempt_row(store.db, attempt);
    CHECK_FALSE(lifecycle::transition(store.db, running, AttemptState::assigned, {}));
    // A step ends once.
    auto step = pipelines::find_step(store.db, attempt, 0);
    REQUIRE(step.has_value());
    CHECK_FALSE(lifecycle::transition(store.db, *step, StepState::failed, {}, 1));
    std::string text = log.text();
    CHECK_THAT(text,
               Catch::Contains("job=" + std::to_string(blocked_id) + " from blocked to running"));
    CHECK_THAT(text,
               Catch::Contains("attempt=" + std::to_string(attempt) + " from running to assigned"));
    CHECK_THAT(text, Catch::Contains("step=0 from success to failed"));

    CHECK(job_named(store.db, pipeline, "deploy").status == JobState::blocked);
    CHECK_FALSE(job_named(store.db, pipeline, "deploy").started_at.has_value());
    CHECK(attempt_row(store.db, attempt).status == AttemptState::running);
    auto kept = pipelines::find_step(store.db, attempt, 0);
    CHECK(kept->status == StepState::success);
    CHECK(kept->exit_code == 0);
}

TEST_CASE("a step's reports: started, then ended once, and late duplicates are dropped") {
    Store store;
    PipelineId pipeline = add_pipeline(store.db);
    JobId job = add_job(store.db, pipeline, "build", 0);
    AttemptId attempt = start_job(store.db, job, add_runner(store.db, "runner-1"), kT0);

    CHECK(lifecycle::record_step(
        store.db, {attempt, 0, StepState::running, std::nullopt, kT0, std::nullopt}));
    CHECK_FALSE(lifecycle::record_step(
        store.db, {attempt, 0, StepState::running, std::nullopt, kT0 + 1, std::nullopt}));
    CHECK(lifecycle::record_step(store.db,
                                 {attempt, 0, StepState::failed, 2, std::nullopt, kT0 + 50}));
    // A start or an end arriving again after the end changes nothing.
    CHECK_FALSE(lifecycle::record_step(
        store.db, {attempt, 0, StepState::running, std::nullopt, kT0 + 60, std::nullopt}));
    CHECK_FALSE(lifecycle::record_step(
        store.db, {attempt, 0, StepState::success, 0, std::nullopt, kT0 + 70}));
    auto step = pipelines::find_step(store.db, attempt, 0);
    REQUIRE(step.has_value());
    CHECK(step->status == StepState::failed);
    CHECK(step->exit_code == 2);
    CHECK(step->started_at == kT0);
    CHECK(step->finished_at == kT0 + 50);

    // A step still running when its attempt is lost ends lost.
    CHECK(lifecycle::record_step(
        store.db, {attempt, 1, StepState::running, std::nullopt, kT0 + 80, std::nullopt}));
    lifecycle::lose_attempt(store.db, store.statuses, attempt, AttemptState::lost, "gone", 3,
                            kT0 + 90);
    auto lost = pipelines::find_step(store.db, attempt, 1);
    CHECK(lost->status == StepState::lost);
    CHECK(lost->finished_at == kT0 + 90);
    CHECK(pipelines::find_step(store.db, attempt, 0)->status == StepState::failed);
}

TEST_CASE("a runner's legal path: online, draining, lost, online again, offline, revoked") {
    Store store;
    RunnerId id = add_runner(store.db, "runner-1");
    auto state = [&] { return runners::find(store.db, id)->state; };
    REQUIRE(state() == RunnerState::offline);

    CHECK(lifecycle::mark_runner_online(store.db, id, "1.2.3", 4, {"linux"}, kT0));
    auto runner = runners::find(store.db, id);
    CHECK(runner->state == RunnerState::online);
    CHECK(runner->version == "1.2.3");
    CHECK(runner->capacity == 4);
    CHECK(runner->labels == std::vector<std::string>{"linux"});
    CHECK(runner->last_heartbeat_at == kT0);
    // A new connection replacing the session: still online, what it said is recorded.
    CHECK(lifecycle::mark_runner_online(store.db, id, "1.2.4", 4, {"linux"}, kT0 + 1));
    CHECK(runners::find(store.db, id)->version == "1.2.4");

    CHECK(lifecycle::mark_runner_draining(store.db, id));
    CHECK(state() == RunnerState::draining);
    CHECK_FALSE(lifecycle::mark_runner_draining(store.db, id));  // there already
    CHECK(lifecycle::mark_runner_lost(store.db, id));
    CHECK(state() == RunnerState::lost);
    CHECK(lifecycle::mark_runner_online(store.db, id, "1.2.4", 4, {}, kT0 + 2));
    CHECK(state() == RunnerState::online);
    CHECK(lifecycle::mark_runner_offline(store.db, id));
    CHECK(state() == RunnerState::offline);
    CHECK(lifecycle::revoke_runner(store.db, id, kT0 + 3));
    CHECK(state() == RunnerState::revoked);
    CHECK(runners::find(store.db, id)->revoked_at == kT0 + 3);
}

TEST_CASE("a revoked runner stays revoked") {
    Store store;
    RunnerId id = add_runner(store.db, "runner-1");
    REQUIRE(lifecycle::mark_runner_online(store.db, id, "1.0.0", 2, {}, kT0));
    REQUIRE(lifecycle::revoke_runner(store.db, id, kT0 + 10));

    // The operations leave it as it is (its session ending after the revocation is expected).
    CHECK_FALSE(lifecycle::mark_runner_online(store.db, id, "9.9.9", 8, {"x"}, kT0 + 20));
    CHECK_FALSE(lifecycle::mark_runner_draining(store.db, id));
    CHECK_FALSE(lifecycle::mark_runner_lost(store.db, id));
    CHECK_FALSE(lifecycle::mark_runner_offline(store.db, id));
    CHECK_FALSE(lifecycle::revoke_runner(store.db, id, kT0 + 30));

    // And transition itself refuses, as a bug, any move out of revoked.
    auto revoked = runners::find(store.db, id);
    StderrCapture log(store.dir.path() / "log");
    CHECK_FALSE(lifecycle::transition(store.db, *revoked, RunnerState::online, kT0 + 40));
    CHECK_THAT(log.text(),
               Catch::Contains("runner=" + std::to_string(id) + " from revoked to online"));

    auto row = runners::find(store.db, id);
    CHECK(row->state == RunnerState::revoked);
    CHECK(row->revoked_at == kT0 + 10);
    CHECK(row->version == "1.0.0");
    CHECK(row->capacity == 2);
}

TEST_CASE("an unknown state name in the database is an error naming it") {
    Store store;
    PipelineId id = add_pipeline(store.db);
    store.db.exec("UPDATE pipelines SET status = 'paused'");
    CHECK_THROWS_MATCHES(pipelines::find(store.db, id), DbError,
                         Catch::Message("unknown state 'paused' in table pipelines (the database "
                                        "was written by another version, or edited by hand)"));
    RunnerId runner = add_runner(store.db, "runner-1");
    store.db.exec("UPDATE runners SET state = 'asleep'");
    CHECK_THROWS_AS(runners::find(store.db, runner), DbError);
}
