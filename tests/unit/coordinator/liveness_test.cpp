// The coordinator's liveness decisions with a manual clock: when a silent agent is lost, what
// resets its silence, when the loop must wake next, and the restart grace window.

#include "coordinator/agent_loop/liveness.h"

#include <catch2/catch.hpp>

using namespace fmg;
using namespace fmg::coordinator;

namespace {
constexpr Millis kTimeout{3000};
}  // namespace

TEST_CASE(
    "timeouts: an agent silent for the timeout less a millisecond is not lost, a "
    "millisecond past it is") {
    ManualClock clock;
    AgentLiveness liveness(kTimeout);
    liveness.heard("agent-a", clock.steady_now());

    clock.advance(kTimeout - Millis(1));
    CHECK(liveness.silent(clock.steady_now()).empty());
    clock.advance(Millis(1));  // exactly the timeout: still not "longer than"
    CHECK(liveness.silent(clock.steady_now()).empty());
    clock.advance(Millis(1));
    CHECK(liveness.silent(clock.steady_now()) == std::vector<std::string>{"agent-a"});
    CHECK(liveness.silence("agent-a", clock.steady_now()) == kTimeout + Millis(1));
}

TEST_CASE("timeouts: any frame from an agent restarts its silence") {
    ManualClock clock;
    AgentLiveness liveness(kTimeout);
    liveness.heard("agent-a", clock.steady_now());
    liveness.heard("agent-b", clock.steady_now());

    // agent-a keeps talking every 2 s (a log chunk, a heartbeat...); agent-b says nothing.
    for (int i = 0; i < 5; ++i) {
        clock.advance(Millis(2000));
        liveness.heard("agent-a", clock.steady_now());
        if (i == 0) CHECK(liveness.silent(clock.steady_now()).empty());
    }
    CHECK(liveness.silent(clock.steady_now()) == std::vector<std::string>{"agent-b"});
    CHECK(liveness.silence("agent-a", clock.steady_now()) == Millis(0));

    // Forgotten sessions (lost, replaced, gone) are never reported again.
    liveness.forget("agent-b");
    clock.advance(Millis(1000));
    CHECK(liveness.silent(clock.steady_now()).empty());
    CHECK(liveness.silence("agent-b", clock.steady_now()) == Millis(0));
}

TEST_CASE("timeouts: the next liveness deadline is the first moment an agent counts as silent") {
    ManualClock clock;
    AgentLiveness liveness(kTimeout);
    CHECK_FALSE(liveness.next_deadline().has_value());

    SteadyTime start = clock.steady_now();
    liveness.heard("agent-a", start);
    clock.advance(Millis(500));
    liveness.heard("agent-b", clock.steady_now());
    REQUIRE(liveness.next_deadline().has_value());
    CHECK(*liveness.next_deadline() == start + kTimeout + Millis(1));

    // Waking at that deadline finds agent-a silent and agent-b not yet.
    clock.advance(
        std::chrono::duration_cast<Millis>(*liveness.next_deadline() - clock.steady_now()));
    CHECK(liveness.silent(clock.steady_now()) == std::vector<std::string>{"agent-a"});

    // agent-a is heard again: agent-b's deadline is now the first.
    liveness.heard("agent-a", clock.steady_now());
    CHECK(*liveness.next_deadline() == start + Millis(500) + kTimeout + Millis(1));
    liveness.forget("agent-a");
    liveness.forget("agent-b");
    CHECK_FALSE(liveness.next_deadline().has_value());
}

TEST_CASE(
    "timeouts: the restart grace keeps old attempts waiting for 2 x the agent timeout, "
    "then expires exactly once") {
    ManualClock clock;
    SteadyTime start = clock.steady_now();
    RestartGrace grace(start, 2 * kTimeout);
    CHECK(grace.open(clock.steady_now()));
    CHECK(grace.deadline() == start + 2 * kTimeout);

    clock.advance(2 * kTimeout - Millis(1));
    CHECK(grace.open(clock.steady_now()));
    CHECK_FALSE(grace.expire(clock.steady_now()));

    clock.advance(Millis(1));
    CHECK_FALSE(grace.open(clock.steady_now()));
    CHECK(grace.expire(clock.steady_now()));
    // Expired: the loop no longer wakes for it, and later checks do nothing.
    CHECK_FALSE(grace.deadline().has_value());
    clock.advance(Millis(10'000));
    CHECK_FALSE(grace.expire(clock.steady_now()));
    CHECK_FALSE(grace.open(clock.steady_now()));
}

TEST_CASE("timeouts: a restart grace checked only long after its end still expires once") {
    ManualClock clock;
    RestartGrace grace(clock.steady_now(), Millis(6000));
    clock.advance(Millis(60'000));
    CHECK(grace.expire(clock.steady_now()));
    CHECK_FALSE(grace.expire(clock.steady_now()));
}
