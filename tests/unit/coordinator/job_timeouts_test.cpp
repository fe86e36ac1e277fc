// The coordinator's --job-timeout backstop with a manual clock: when an attempt is due, that
// it is due once, what moves or drops its deadline, deadlines of attempts from before a
// restart, and what a timed-out (or cancelled) job shows on GitHub.

#include "coordinator/agent_loop/job_timeouts.h"

#include <catch2/catch.hpp>

#include "protocol/job_timeout.h"
#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg;
using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

namespace {
constexpr Millis kLimit{60'000};
constexpr Millis kGrace{8000};
}  // namespace

TEST_CASE("timeouts: an attempt is due once, at its start plus the job timeout plus the grace") {
    ManualClock clock;
    JobTimeouts timeouts(kLimit, kGrace);
    REQUIRE(timeouts.enabled());
    timeouts.track(7, clock.steady_now());

    clock.advance(kLimit + kGrace - Millis(1));
    CHECK(timeouts.take_due(clock.steady_now()).empty());
    clock.advance(Millis(1));
    CHECK(timeouts.take_due(clock.steady_now()) == std::vector<AttemptId>{7});
    // Taken: it is not due again, and the loop no longer wakes for it.
    clock.advance(Millis(5000));
    CHECK(timeouts.take_due(clock.steady_now()).empty());
    CHECK_FALSE(timeouts.next_deadline().has_value());
}

TEST_CASE(
    "timeouts: the next job deadline is the earliest, and follows attempts that end or "
    "restart their clock") {
    ManualClock clock;
    JobTimeouts timeouts(kLimit, kGrace);
    SteadyTime t0 = clock.steady_now();
    timeouts.track(1, t0);  // dispatched
    clock.advance(Millis(1000));
    timeouts.track(2, clock.steady_now());
    CHECK(timeouts.next_deadline() == t0 + kLimit + kGrace);

    // The agent accepted attempt 1 two seconds after its dispatch: its clock starts there.
    clock.advance(Millis(1000));
    timeouts.track(1, clock.steady_now());
    CHECK(timeouts.deadline_of(1) == t0 + Millis(2000) + kLimit + kGrace);
    CHECK(timeouts.next_deadline() == t0 + Millis(1000) + kLimit + kGrace);

    // Attempt 2 finished in time: only attempt 1 is left to time out.
    timeouts.forget(2);
    CHECK(timeouts.next_deadline() == t0 + Millis(2000) + kLimit + kGrace);
    clock.advance(
        std::chrono::duration_cast<Millis>(*timeouts.next_deadline() - clock.steady_now()));
    CHECK(timeouts.take_due(clock.steady_now()) == std::vector<AttemptId>{1});
}

TEST_CASE("timeouts: with --job-timeout 0 nothing is ever due") {
    ManualClock clock;
    JobTimeouts timeouts(Millis(0), kGrace);
    CHECK_FALSE(timeouts.enabled());
    timeouts.track(3, clock.steady_now());
    clock.advance(Millis(30L * 24 * 3600 * 1000));
    CHECK(timeouts.take_due(clock.steady_now()).empty());
    CHECK_FALSE(timeouts.next_deadline().has_value());
}

TEST_CASE("timeouts: after a restart, a running attempt's deadline comes from its stored start") {
    Store store;
    PipelineId pipeline = add_pipeline(store.db);
    JobId job = add_job(store.db, pipeline, "build", 0);
    ManualClock clock;
    // The attempt was accepted 50 s ago (by the coordinator before its restart).
    AttemptId attempt =
        start_job(store.db, job, add_runner(store.db, "runner-1"), clock.wall_ms() - 50'000);

    // What the restarted coordinator does for every active attempt.
    JobTimeouts timeouts(kLimit, kGrace);
    for (const AttemptRow& row : pipelines::active_attempts(store.db)) {
        timeouts.track(row.id, steady_time_of(row.started_at.value_or(row.created_at), clock));
    }
    CHECK(timeouts.deadline_of(attempt) == clock.steady_now() + Millis(10'000) + kGrace);
    clock.advance(Millis(10'000) + kGrace - Millis(1));
    CHECK(timeouts.take_due(clock.steady_now()).empty());
    clock.advance(Millis(1));
    CHECK(timeouts.take_due(clock.steady_now()) == std::vector<AttemptId>{attempt});
}

TEST_CASE("timeouts: the timeout message names the limit in seconds") {
    CHECK(protocol::job_timeout_message(Millis(60'000)) == "job timed out after 60 s");
    CHECK(protocol::job_timeout_message(Millis(3'600'000)) == "job timed out after 3600 s");
    CHECK(protocol::job_timeout_message(Millis(1500)) == "job timed out after 1500 ms");
}

TEST_CASE(
    "timeouts: timed-out and cancelled jobs get GitHub's 'error', and a timed-out job is "
    "not retried") {
    Store store;
    PipelineId pipeline = add_pipeline(store.db);
    JobId slow = add_job(store.db, pipeline, "slow", 0);
    JobId other = add_job(store.db, pipeline, "other", 1);
    RunnerId runner = add_runner(store.db, "runner-1");
    AttemptId attempt = start_job(store.db, slow, runner, kT0);
    start_job(store.db, other, runner, kT0);

    // What the coordinator records when the attempt runs past --job-timeout.
    REQUIRE(lifecycle::finish_attempt(store.db, store.statuses, attempt, AttemptState::error,
                                      protocol::job_timeout_message(kLimit), kT0 + 68'000));
    CHECK(attempt_row(store.db, attempt).status == AttemptState::error);
    CHECK(attempt_row(store.db, attempt).error == "job timed out after 60 s");
    JobRow row = job_named(store.db, pipeline, "slow");
    CHECK(row.status == JobState::error);
    CHECK(pipelines::attempts_of(store.db, slow).size() == 1);
    CHECK(pipelines::queued_jobs(store.db, 10).empty());

    lifecycle::cancel_pipeline(store.db, store.statuses, pipeline, kT0 + 70'000);
    CHECK(job_named(store.db, pipeline, "other").status == JobState::cancelled);

    auto statuses = outbox_rows(store.db);
    REQUIRE(statuses.size() == 2);
    CHECK(statuses[0].context == "fmg/slow");
    CHECK(statuses[0].state == "error");
    CHECK(statuses[0].description == "job timed out after 60 s");
    CHECK(statuses[1].context == "fmg/other");
    CHECK(statuses[1].state == "error");
    CHECK(statuses[1].description == "Job other was cancelled");
}
