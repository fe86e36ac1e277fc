// The agent loop's sessions, driven in process: a peer over a real ZeroMQ socket, a real
// SQLite file and a manual clock (PROTOCOL.md 7).

#include <catch2/catch.hpp>

#include "coordinator/lifecycle/runner_ops.h"
#include "tests/unit/coordinator/agent_loop_fixture.h"

using namespace fmg;
using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

TEST_CASE("a message without a session gets reject no_session, and a hello opens one",
          "[agent-loop]") {
    LoopFixture fixture;
    fixture.start();
    Peer peer = fixture.connect("agent-1");

    peer.send(protocol::AgentHeartbeat{{}, 1, false});
    auto reject = fixture.next_of<protocol::Reject>(peer);
    CHECK(reject.code == protocol::RejectCode::no_session);
    // Agents from before reject codes look for these words.
    CHECK(reject.reason.rfind("no session", 0) == 0);
    CHECK_FALSE(runners::find_by_host(fixture.store.db, "build-01").has_value());

    // The agent says hello on the same socket, as after a coordinator restart.
    auto welcome = fixture.hello(peer, "build-01");
    CHECK(welcome.runner_id == fixture.runner_named("build-01").id);
    CHECK(welcome.heartbeat_interval_ms == fixture.settings.heartbeat_interval_ms);
    CHECK(welcome.agent_timeout_ms == fixture.settings.agent_timeout_ms);
}

TEST_CASE(
    "a second hello of a runner replaces its session, and the old connection gets reject "
    "replaced",
    "[agent-loop]") {
    LoopFixture fixture;
    auto [pipeline, first, assign] = fixture.start_running_one_job("first");

    // The agent reconnected on a new socket and still runs the attempt.
    Peer second = fixture.connect("second");
    fixture.hello(second, "build-01", {assign.attempt_id});
    auto reject = fixture.next_of<protocol::Reject>(first);
    CHECK(reject.code == protocol::RejectCode::replaced);

    // The attempt was not lost with the old session: the new one owns it, so its result
    // counts and is acknowledged there.
    CHECK(attempt_row(fixture.store.db, assign.attempt_id).status == AttemptState::running);
    second.send(
        protocol::JobFinished{assign.attempt_id, protocol::JobOutcome::success, "", 0, kT0});
    auto ack = fixture.next_of<protocol::Ack>(second);
    CHECK(ack == protocol::Ack{assign.attempt_id, 1});
    CHECK(attempt_row(fixture.store.db, assign.attempt_id).status == AttemptState::success);
    CHECK(job_named(fixture.store.db, pipeline, "build").status == JobState::success);

    // The old connection has no session any more.
    first.send(protocol::AgentHeartbeat{{}, 1, false});
    CHECK(fixture.next_of<protocol::Reject>(first).code == protocol::RejectCode::no_session);
}

TEST_CASE("an agent silent past the agent timeout is lost and its attempt requeued",
          "[agent-loop]") {
    LoopFixture fixture;
    auto [pipeline, peer, assign] = fixture.start_running_one_job("agent-1");

    // Exactly the timeout of silence is not yet too long.
    fixture.clock.advance(Millis(fixture.settings.agent_timeout_ms));
    fixture.loop->step(Millis(0));
    CHECK(fixture.runner_named("build-01").state != RunnerState::lost);
    CHECK(attempt_row(fixture.store.db, assign.attempt_id).status == AttemptState::running);

    // The loop looks again one timer resolution (20 ms) later.
    fixture.clock.advance(Millis(20));
    fixture.step_until([&] { return fixture.runner_named("build-01").state == RunnerState::lost; });
    AttemptRow attempt = attempt_row(fixture.store.db, assign.attempt_id);
    CHECK(attempt.status == AttemptState::lost);
    REQUIRE(attempt.error.has_value());
    CHECK_THAT(*attempt.error, Catch::Matchers::Contains("silent for 3020 ms"));
    CHECK(job_named(fixture.store.db, pipeline, "build").status == JobState::queued);

    // Its late output changes nothing: it has no session.
    peer.send(protocol::JobFinished{assign.attempt_id, protocol::JobOutcome::success, "", 0, kT0});
    CHECK(fixture.next_of<protocol::Reject>(peer).code == protocol::RejectCode::no_session);
    CHECK(attempt_row(fixture.store.db, assign.attempt_id).status == AttemptState::lost);
}

TEST_CASE("revoking a connected runner sends reject revoked and ends its session", "[agent-loop]") {
    LoopFixture fixture;
    fixture.start();
    Peer peer = fixture.connect("agent-1");
    fixture.hello(peer, "build-01");
    RunnerId runner = fixture.runner_named("build-01").id;

    // What the REST API does when an operator removes the runner.
    REQUIRE(lifecycle::revoke_runner(fixture.store.db, runner, kT0));
    fixture.loop->mailbox().post(RunnerRevoked{runner});
    CHECK(fixture.next_of<protocol::Reject>(peer).code == protocol::RejectCode::revoked);
    peer.send(protocol::AgentHeartbeat{{}, 1, false});
    CHECK(fixture.next_of<protocol::Reject>(peer).code == protocol::RejectCode::no_session);
}

TEST_CASE("an agent's goodbye hands its attempts back at once", "[agent-loop]") {
    LoopFixture fixture;
    auto [pipeline, peer, assign] = fixture.start_running_one_job("agent-1");

    peer.send(protocol::Goodbye{"SIGTERM"});
    fixture.step_until(
        [&] { return fixture.runner_named("build-01").state == RunnerState::offline; });
    CHECK(attempt_row(fixture.store.db, assign.attempt_id).status == AttemptState::lost);
    CHECK(job_named(fixture.store.db, pipeline, "build").status == JobState::queued);
    peer.send(protocol::AgentHeartbeat{{}, 1, false});
    CHECK(fixture.next_of<protocol::Reject>(peer).code == protocol::RejectCode::no_session);
}
