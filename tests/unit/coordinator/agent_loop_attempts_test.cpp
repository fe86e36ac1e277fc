// The agent loop's attempts, driven in process: fencing of stale attempts and reconciliation
// after a restart (PROTOCOL.md 10), with a peer over a real ZeroMQ socket, a real SQLite file
// and a manual clock.

#include <catch2/catch.hpp>

#include "tests/unit/coordinator/agent_loop_fixture.h"

using namespace fmg;
using namespace fmg::coordinator;
using namespace fmg::coordinator::testing;

TEST_CASE("a result for an attempt that is no longer current gets a cancel and changes nothing",
          "[agent-loop]") {
    LoopFixture fixture;
    auto [pipeline, peer, assign] = fixture.start_running_one_job("agent-1");

    // A user cancels the pipeline: the attempt ends and its agent is told.
    pipelines::request_cancel(fixture.store.db, pipeline);
    fixture.loop->mailbox().post(CancelPipeline{pipeline});
    auto cancel = fixture.next_of<protocol::Cancel>(peer);
    CHECK(cancel.attempt_id == assign.attempt_id);
    CHECK(attempt_row(fixture.store.db, assign.attempt_id).status == AttemptState::cancelled);

    // The agent's result crossed the cancel: refused, and the attempt stays cancelled.
    peer.send(protocol::Log{assign.attempt_id, 1, "late output\n"});
    peer.send(protocol::JobFinished{assign.attempt_id, protocol::JobOutcome::success, "", 1, kT0});
    for (int i = 0; i < 2; ++i) {
        auto refused = fixture.next_of<protocol::Cancel>(peer);
        CHECK(refused.attempt_id == assign.attempt_id);
        CHECK(refused.reason == "this attempt is no longer current");
    }
    AttemptRow attempt = attempt_row(fixture.store.db, assign.attempt_id);
    CHECK(attempt.status == AttemptState::cancelled);
    CHECK(attempt.log_seq == 0);
    CHECK(pipeline_row(fixture.store.db, pipeline).status == PipelineState::cancelled);

    // An attempt of another runner is fenced the same way.
    PipelineId other = add_pipeline(fixture.store.db);
    JobId other_job = add_job(fixture.store.db, other, "build", 0);
    AttemptId foreign =
        start_job(fixture.store.db, other_job, add_runner(fixture.store.db, "build-02"), kT0);
    peer.send(protocol::JobFinished{foreign, protocol::JobOutcome::failed, "", 0, kT0});
    CHECK(fixture.next_of<protocol::Cancel>(peer).attempt_id == foreign);
    CHECK(attempt_row(fixture.store.db, foreign).status == AttemptState::running);
}

TEST_CASE("after a restart, a hello keeps the attempts its agent runs and loses the rest",
          "[agent-loop]") {
    LoopFixture fixture;
    Database& db = fixture.store.db;
    // What a coordinator left in its database before it stopped.
    RunnerId runner = add_runner(db, "build-01");
    PipelineId pipeline = add_pipeline(db);
    AttemptId kept = start_job(db, add_job(db, pipeline, "kept", 0), runner, kT0);
    AttemptId gone = start_job(db, add_job(db, pipeline, "gone", 1), runner, kT0);
    AttemptId orphan =
        start_job(db, add_job(db, pipeline, "orphan", 2), add_runner(db, "build-02"), kT0);
    AttemptId finished = run_job(fixture.store, add_job(db, pipeline, "finished", 3), runner,
                                 AttemptState::success, kT0);
    fixture.settings.restart_grace_ms = 2000;
    fixture.start();

    Peer peer = fixture.connect("agent-1");
    // It runs `kept`, still holds the unacknowledged result of `finished`, and claims the
    // other runner's `orphan`.
    auto welcome = fixture.hello(peer, "build-01", {kept, finished, orphan}, 1);
    CHECK(welcome.runner_id == runner);
    // Persisted before the welcome: the attempt it came back without is lost, its job queued.
    CHECK(attempt_row(db, gone).status == AttemptState::lost);
    CHECK(job_named(db, pipeline, "gone").status == JobState::queued);
    CHECK(attempt_row(db, kept).status == AttemptState::running);

    // Then the cancel of what is not its own; nothing is assigned (its one slot is taken).
    auto cancel = fixture.next_of<protocol::Cancel>(peer);
    CHECK(cancel.attempt_id == orphan);
    CHECK(cancel.reason == "not assigned to this runner");

    // The kept attempt's output counts, and so does the finished one's pending result.
    peer.send(protocol::JobFinished{finished, protocol::JobOutcome::success, "", 0, kT0});
    CHECK(fixture.next_of<protocol::Ack>(peer) == protocol::Ack{finished, 1});
    peer.send(protocol::JobFinished{kept, protocol::JobOutcome::failed, "", 0, kT0});
    CHECK(fixture.next_of<protocol::Ack>(peer) == protocol::Ack{kept, 1});
    CHECK(attempt_row(db, kept).status == AttemptState::failed);

    // The freed slot takes the requeued job.
    auto assign = fixture.next_of<protocol::Assign>(peer);
    CHECK(assign.job_name == "gone");

    // The other runner never came back: its attempt is lost when the grace ends.
    peer.send(protocol::Accepted{assign.attempt_id});
    fixture.step_until(
        [&] { return attempt_row(db, assign.attempt_id).status == AttemptState::running; });
    fixture.clock.advance(Millis(1999));
    fixture.loop->step(Millis(0));
    CHECK(attempt_row(db, orphan).status == AttemptState::running);
    fixture.clock.advance(Millis(20));  // the loop looks again one timer resolution later
    fixture.step_until([&] { return attempt_row(db, orphan).status == AttemptState::lost; });
    CHECK(attempt_row(db, assign.attempt_id).status == AttemptState::running);
}
