// The assign timeout with a manual clock: an attempt whose agent answers its assign neither
// with `accepted` nor with `refused` is due once, the timeout's length, what counts as an
// answer, and what the coordinator records for it (lost, the job requeued, counted towards
// --max-attempts).

#include "coordinator/agent_loop/assign_timeouts.h"

#include <catch2/catch.hpp>

#include "coordinator/constants.h"
#include "tests/unit/coordinator/store_fixture.h"

using namespace fmg;
using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

TEST_CASE("assign timeout: the agent timeout, never less than kMinAssignTimeout") {
    CHECK(kMinAssignTimeout == Millis(10'000));
    CHECK(assign_timeout(Millis(3000)) == Millis(10'000));
    CHECK(assign_timeout(Millis(10'000)) == Millis(10'000));
    CHECK(assign_timeout(Millis(45'000)) == Millis(45'000));
}

TEST_CASE("assign timeout: an unanswered assign is due once, the timeout after it was sent") {
    ManualClock clock;
    AssignTimeouts timeouts(Millis(10'000));
    timeouts.sent(7, clock.steady_now());
    CHECK(timeouts.waiting(7));
    CHECK(timeouts.next_deadline() == clock.steady_now() + Millis(10'000));

    clock.advance(Millis(9999));
    CHECK(timeouts.take_due(clock.steady_now()).empty());
    clock.advance(Millis(1));
    CHECK(timeouts.take_due(clock.steady_now()) == std::vector<AttemptId>{7});
    // Taken: not due again, and the loop no longer wakes for it.
    clock.advance(Millis(60'000));
    CHECK(timeouts.take_due(clock.steady_now()).empty());
    CHECK_FALSE(timeouts.waiting(7));
    CHECK_FALSE(timeouts.next_deadline().has_value());
}

TEST_CASE("assign timeout: an answer, or the attempt's end, stops the clock") {
    ManualClock clock;
    AssignTimeouts timeouts(Millis(10'000));
    const SteadyTime t0 = clock.steady_now();
    timeouts.sent(1, t0);
    clock.advance(Millis(2000));
    timeouts.sent(2, clock.steady_now());
    clock.advance(Millis(2000));
    timeouts.sent(3, clock.steady_now());
    CHECK(timeouts.next_deadline() == t0 + Millis(10'000));

    timeouts.answered(1);  // accepted (or any message about it, or its heartbeat lists it)
    CHECK(timeouts.next_deadline() == t0 + Millis(12'000));
    timeouts.answered(3);   // the attempt ended otherwise (runner lost, pipeline cancelled)
    timeouts.answered(99);  // never sent: nothing happens

    clock.advance(Millis(30'000));
    CHECK(timeouts.take_due(clock.steady_now()) == std::vector<AttemptId>{2});
}

TEST_CASE(
    "assign timeout: the unanswered attempt is lost and its job queued again, until "
    "--max-attempts") {
    Store store;
    PipelineId pipeline = add_pipeline(store.db);
    JobId job = add_job(store.db, pipeline, "build", 0);
    RunnerId silent = add_runner(store.db, "silent-runner");
    ManualClock clock;
    AssignTimeouts timeouts(assign_timeout(Millis(3000)));
    constexpr int64_t kMaxAttempts = 2;

    for (int64_t number = 1; number <= kMaxAttempts; ++number) {
        auto dispatched = lifecycle::dispatch_job(store.db, job, silent, clock.wall_ms());
        REQUIRE(dispatched.has_value());
        CHECK(dispatched->number == number);
        timeouts.sent(dispatched->attempt_id, clock.steady_now());
        clock.advance(timeouts.timeout());
        // What the loop does for each attempt due (AgentLoop::time_out_assignment).
        REQUIRE(timeouts.take_due(clock.steady_now()) ==
                std::vector<AttemptId>{dispatched->attempt_id});
        REQUIRE(attempt_row(store.db, dispatched->attempt_id).status == AttemptState::assigned);
        lifecycle::lose_attempt(store.db, store.statuses, dispatched->attempt_id,
                                AttemptState::lost,
                                "runner silent-runner did not accept the job within 10 s",
                                kMaxAttempts, clock.wall_ms());
        const AttemptRow attempt = attempt_row(store.db, dispatched->attempt_id);
        CHECK(attempt.status == AttemptState::lost);
        CHECK(attempt.error == "runner silent-runner did not accept the job within 10 s");
        if (number < kMaxAttempts)
            CHECK(job_named(store.db, pipeline, "build").status == JobState::queued);
    }
    // The last attempt allowed went unanswered too: the job ends in error, and GitHub hears.
    CHECK(job_named(store.db, pipeline, "build").status == JobState::error);
    CHECK(pipeline_row(store.db, pipeline).status == PipelineState::error);
    auto statuses = outbox_rows(store.db);
    REQUIRE(statuses.size() == 1);
    CHECK(statuses[0].state == "error");
}
