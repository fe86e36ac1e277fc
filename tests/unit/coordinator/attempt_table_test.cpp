// The agent loop's table of sessions and attempts on its own: ending an attempt or a session
// leaves no trace in any index, and replacing a session keeps its runner's attempts.

#include "coordinator/agent_loop/attempt_table.h"

#include <catch2/catch.hpp>

using namespace fmg;
using namespace fmg::coordinator;

namespace {

constexpr Millis kAgentTimeout{3000};
constexpr Millis kJobTimeout{60'000};
constexpr Millis kAssignTimeout{5000};

AttemptTable make_table() {
    return AttemptTable(kAgentTimeout, JobTimeouts(kJobTimeout, Millis(0)),
                        AssignTimeouts(kAssignTimeout));
}

AgentSession session_of_runner(RunnerId runner, const std::string& routing_id) {
    AgentSession session;
    session.routing_id = routing_id;
    session.runner_id = runner;
    session.host = "runner-" + std::to_string(runner);
    session.capacity = 4;
    return session;
}

/// Whether the attempt is in no index of the table.
void check_gone(AttemptTable& table, AttemptId attempt) {
    CHECK_FALSE(table.owner_of(attempt).has_value());
    CHECK_FALSE(table.job_timeouts().deadline_of(attempt).has_value());
    CHECK_FALSE(table.assign_timeouts().waiting(attempt));
    for (const auto& [routing_id, session] : table.sessions()) {
        CHECK(session.attempts.count(attempt) == 0);
    }
}

}  // namespace

TEST_CASE("an assigned attempt is in every index, a released one in none", "[attempt-table]") {
    ManualClock clock;
    AttemptTable table = make_table();
    table.open(session_of_runner(7, "a"), clock.steady_now());
    AgentSession& session = *table.find("a");
    table.assign(11, session, clock.steady_now());

    CHECK(table.owner_of(11) == RunnerId{7});
    CHECK(session.attempts.count(11) == 1);
    CHECK(session.free_slots() == 3);
    CHECK(table.job_timeouts().deadline_of(11) == clock.steady_now() + kJobTimeout);
    CHECK(table.assign_timeouts().waiting(11));

    AgentSession* owner = table.release(11);
    REQUIRE(owner == &session);
    check_gone(table, 11);
    CHECK(session.free_slots() == 4);
    // Releasing twice is harmless, and tells no owner.
    CHECK(table.release(11) == nullptr);
}

TEST_CASE("an attempt whose runner has no session is released without an owner",
          "[attempt-table]") {
    ManualClock clock;
    AttemptTable table = make_table();
    table.await_result(5, 3);  // from before a restart: its runner is not connected
    CHECK(table.owner_of(5) == RunnerId{3});
    CHECK(table.release(5) == nullptr);
    check_gone(table, 5);
}

TEST_CASE("a timed-out attempt is released and remembered", "[attempt-table]") {
    ManualClock clock;
    AttemptTable table = make_table();
    table.open(session_of_runner(7, "a"), clock.steady_now());
    table.assign(11, *table.find("a"), clock.steady_now());
    CHECK_FALSE(table.timed_out_here(11));
    CHECK(table.time_out(11) == table.find("a"));
    check_gone(table, 11);
    CHECK(table.timed_out_here(11));
}

TEST_CASE("losing a session releases every attempt it held", "[attempt-table]") {
    ManualClock clock;
    AttemptTable table = make_table();
    table.open(session_of_runner(7, "a"), clock.steady_now());
    table.open(session_of_runner(8, "b"), clock.steady_now());
    table.assign(11, *table.find("a"), clock.steady_now());
    table.assign(12, *table.find("a"), clock.steady_now());
    table.assign(13, *table.find("b"), clock.steady_now());

    std::optional<AgentSession> lost = table.lose("a");
    REQUIRE(lost.has_value());
    CHECK(lost->attempts == std::set<AttemptId>{11, 12});
    check_gone(table, 11);
    check_gone(table, 12);
    CHECK(table.find("a") == nullptr);
    CHECK(table.session_of(7) == nullptr);
    // Its liveness went with it: it never turns up as silent.
    clock.advance(kAgentTimeout + Millis(1));
    auto silent = table.silent(clock.steady_now());
    REQUIRE(silent.size() == 1);
    CHECK(silent[0].first == "b");
    // The other session keeps what it has.
    CHECK(table.owner_of(13) == RunnerId{8});
    CHECK_FALSE(table.lose("a").has_value());
}

TEST_CASE("a new session of a runner replaces the old one and keeps its attempts' owner",
          "[attempt-table]") {
    ManualClock clock;
    AttemptTable table = make_table();
    CHECK_FALSE(table.open(session_of_runner(7, "old"), clock.steady_now()).has_value());
    table.assign(11, *table.find("old"), clock.steady_now());

    clock.advance(Millis(1000));
    std::optional<std::string> replaced =
        table.open(session_of_runner(7, "new"), clock.steady_now());
    CHECK(replaced == std::string("old"));
    CHECK(table.find("old") == nullptr);
    CHECK(table.session_of(7) == table.find("new"));
    // The runner still owns the attempt; the new session's reconciliation settles it.
    CHECK(table.owner_of(11) == RunnerId{7});
    table.keep(11, *table.find("new"));
    CHECK(table.find("new")->attempts.count(11) == 1);
    CHECK_FALSE(table.assign_timeouts().waiting(11));
    // The old session's silence does not count any more.
    clock.advance(kAgentTimeout);
    CHECK(table.silent(clock.steady_now()).empty());
    clock.advance(Millis(1001));
    auto silent = table.silent(clock.steady_now());
    REQUIRE(silent.size() == 1);
    CHECK(silent[0].first == "new");
    CHECK(silent[0].second == kAgentTimeout + Millis(1001));
}

TEST_CASE("a hello again on the same connection replaces nothing", "[attempt-table]") {
    ManualClock clock;
    AttemptTable table = make_table();
    table.open(session_of_runner(7, "a"), clock.steady_now());
    CHECK_FALSE(table.open(session_of_runner(7, "a"), clock.steady_now()).has_value());
    CHECK(table.sessions().size() == 1);
}

TEST_CASE("an answered assign no longer waits, and a started attempt's time limit restarts",
          "[attempt-table]") {
    ManualClock clock;
    AttemptTable table = make_table();
    table.open(session_of_runner(7, "a"), clock.steady_now());
    table.assign(11, *table.find("a"), clock.steady_now());
    table.answered(11);
    CHECK_FALSE(table.assign_timeouts().waiting(11));
    clock.advance(Millis(2000));
    table.started(11, clock.steady_now());
    CHECK(table.job_timeouts().deadline_of(11) == clock.steady_now() + kJobTimeout);
    CHECK(table.owner_of(11) == RunnerId{7});
}
