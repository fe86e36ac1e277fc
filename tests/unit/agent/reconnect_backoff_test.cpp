// The agent's reconnect policy with a manual clock: the backoff between reconnects, its reset
// on `welcome`, and giving up a coordinator that has been silent for the agent timeout.

#include "agent/link/reconnect_backoff.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <optional>
#include <vector>

using namespace fmg;
using namespace fmg::agent;

namespace {

// Exact waits: no random shortening.
ReconnectBackoff exact_backoff() {
    return ReconnectBackoff(kReconnectBackoffInitial, kReconnectBackoffMax, [] { return 0.0; });
}

}  // namespace

TEST_CASE("timeouts: reconnects back off 250, 500, 1000, 2000, 4000 ms, then 5 s each") {
    ReconnectBackoff backoff = exact_backoff();
    std::vector<long> waits;
    for (int i = 0; i < 8; ++i) waits.push_back(backoff.next().count());
    CHECK(waits == std::vector<long>{250, 500, 1000, 2000, 4000, 5000, 5000, 5000});
}

TEST_CASE("timeouts: a welcome resets the backoff to 250 ms") {
    ReconnectBackoff backoff = exact_backoff();
    for (int i = 0; i < 6; ++i) backoff.next();
    CHECK(backoff.peek() == Millis(5000));
    backoff.reset();
    CHECK(backoff.peek() == Millis(250));
    CHECK(backoff.next() == Millis(250));
    CHECK(backoff.next() == Millis(500));
}

TEST_CASE(
    "timeouts: a coordinator silent past the agent timeout is given up, and any frame "
    "restarts the silence") {
    ManualClock clock;
    CoordinatorWatch watch(Millis(3000));
    watch.heard(clock.steady_now());  // connected
    watch.set_timeout(Millis(2000));  // the welcome's agent_timeout_ms

    clock.advance(Millis(1500));
    watch.heard(clock.steady_now());  // a heartbeat
    clock.advance(Millis(2000));
    CHECK_FALSE(watch.silent(clock.steady_now()));
    CHECK(watch.deadline() == clock.steady_now() + Millis(1));
    clock.advance(Millis(1));
    CHECK(watch.silent(clock.steady_now()));
    CHECK(watch.silence(clock.steady_now()) == Millis(2001));
}

TEST_CASE(
    "timeouts: coordinator silence makes the agent reconnect after the timeout, backing "
    "off while nobody answers, and a welcome starts the backoff over") {
    // The agent's timers as its loop runs them (CoordinatorLink::check_timers): give up a silent
    // session, wait the backoff, connect again (which counts as hearing from it).
    ManualClock clock;
    CoordinatorWatch watch(Millis(3000));
    ReconnectBackoff backoff = exact_backoff();
    std::optional<SteadyTime> reconnect_at;
    std::vector<long> reconnects_ms;  // when each reconnect happened, from the start
    const SteadyTime start = clock.steady_now();
    watch.heard(start);

    // The coordinator never answers: run the loop in 1 ms ticks for 20 s.
    for (int tick = 0; tick < 20'000; ++tick) {
        clock.advance(Millis(1));
        SteadyTime now = clock.steady_now();
        if (reconnect_at) {
            if (now < *reconnect_at) continue;
            reconnect_at.reset();
            watch.heard(now);  // connect()
            reconnects_ms.push_back(std::chrono::duration_cast<Millis>(now - start).count());
        } else if (watch.silent(now)) {
            reconnect_at = now + backoff.next();  // disconnect()
        }
    }
    // Given up 3001 ms after each connect, then 250, 500, 1000, 2000 ms of backoff...
    CHECK(reconnects_ms == std::vector<long>{3251, 6752, 10753, 15754});

    // Now a welcome arrives: the next loss waits 250 ms again.
    backoff.reset();
    CHECK(backoff.next() == Millis(250));
}

TEST_CASE("timeouts: each wait is shortened by up to 20 % at random, never lengthened") {
    ReconnectBackoff shortest(kReconnectBackoffInitial, kReconnectBackoffMax, [] { return 1.0; });
    std::vector<long> waits;
    for (int i = 0; i < 7; ++i) waits.push_back(shortest.next().count());
    CHECK(waits == std::vector<long>{200, 400, 800, 1600, 3200, 4000, 4000});

    ReconnectBackoff random;  // the agent's: uniform random shortening
    std::vector<long> seen;
    for (int round = 0; round < 200; ++round) {
        random.reset();
        for (long step : {250L, 500L, 1000L, 2000L, 4000L, 5000L}) {
            const long wait = random.next().count();
            CHECK(wait <= step);
            CHECK(wait >= step * 8 / 10);
            if (step == 5000) seen.push_back(wait);
        }
    }
    // Agents that lost the coordinator together do not come back together.
    std::sort(seen.begin(), seen.end());
    CHECK(std::unique(seen.begin(), seen.end()) - seen.begin() > 50);
}
