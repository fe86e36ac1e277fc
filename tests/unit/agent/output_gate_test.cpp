// OutputGate: a job runner thread posting step output waits while a window of it is held
// (posted, not yet acknowledged or spooled), but only while a coordinator session is up, and
// never once the job is being stopped. A JobRunner whose output is never released stops
// reading its step's output after the window.

#include "agent/link/output_gate.h"

#include <catch2/catch.hpp>
#include <future>

#include "agent/executor/executor_factory.h"
#include "agent/job/job_runner.h"
#include "executor_test_support.h"

using namespace fmg;
using namespace fmg::agent;
using namespace fmg::agent::testing;
using namespace std::chrono_literals;

namespace {

constexpr auto kWakes = 10s;  // a released pass() returns well before: only a hang comes near

/// Calls pass() on a thread of its own and returns once it waits there (fails the test if it
/// does not within kWakes, or returns instead).
std::future<void> pass_waiting(OutputGate& gate, size_t bytes) {
    const size_t before = gate.waiting();
    auto passed = std::async(std::launch::async, [&gate, bytes] { gate.pass(bytes); });
    REQUIRE(eventually([&] { return gate.waiting() > before; }, kWakes));
    return passed;
}

}  // namespace

TEST_CASE("output gate: passes output until the window is held, then waits for a release") {
    OutputGate gate(1000);
    gate.pass(600);
    gate.pass(600);  // the held bytes were under the window: one piece may overshoot it
    CHECK(gate.held() == 1200);

    CHECK(gate.would_wait());
    auto waiting = pass_waiting(gate, 10);
    gate.release_through(100);  // 1,100 still held: the waiting pass() keeps waiting
    CHECK(gate.would_wait());
    CHECK(gate.held() == 1100);
    gate.release_through(300);  // 900 held: under the window
    REQUIRE(waiting.wait_for(kWakes) == std::future_status::ready);
    CHECK(gate.held() == 910);

    gate.release_through(200);  // older news than what the gate has: ignored
    CHECK(gate.held() == 910);
}

TEST_CASE("output gate: unmetered while no coordinator session is up") {
    OutputGate gate(1000);
    gate.pass(1000);
    auto waiting = pass_waiting(gate, 10);
    gate.set_metered(false);  // the session went down: output goes to memory and the spool
    REQUIRE(waiting.wait_for(kWakes) == std::future_status::ready);
    gate.pass(5000);
    CHECK(gate.held() == 6010);

    gate.set_metered(true);
    auto metered = pass_waiting(gate, 1);
    gate.release_through(6010);
    REQUIRE(metered.wait_for(kWakes) == std::future_status::ready);
}

TEST_CASE("output gate: opened for good, it never waits again") {
    OutputGate gate(1000);
    gate.pass(1000);
    auto waiting = pass_waiting(gate, 10);
    gate.open_for_good();
    REQUIRE(waiting.wait_for(kWakes) == std::future_status::ready);
    gate.set_metered(true);
    gate.pass(1'000'000);
    CHECK(gate.held() == 1'001'010);
}

TEST_CASE(
    "output gate: a job runner stops reading a fast step's output at the window "
    "and is cancelled while it waits") {
    TempWorkspace work_dir;
    auto executor = make_executor("shell", {"", work_dir.path()});
    Mailbox<RunnerEvent> events;
    ManualClock clock;
    protocol::Assign assign;
    assign.attempt_id = 7;
    assign.pipeline_id = 1;
    assign.job_name = "chatty";
    assign.working_directory = "~/project";
    protocol::StepSpec step;
    step.kind = protocol::StepKind::run;
    step.name = "Print 64 MiB";
    step.command = "head -c 67108864 /dev/zero | tr '\\0' x";
    assign.steps = {step};
    JobRunner runner(assign, *executor, work_dir.path(), events, clock);
    runner.start();

    // Nothing releases the output, as when the coordinator does not acknowledge it: the
    // runner waits at the gate once the window is held, with everything it passed posted
    // (it posts each piece before passing the next), and reads no more of the step's output.
    REQUIRE(eventually([&] { return runner.gate().waiting() == 1; }));
    size_t received = 0;
    for (RunnerEvent& event : events.take_all()) {
        if (auto* output = std::get_if<Output>(&event)) received += output->bytes.size();
    }
    const uint64_t at_window = runner.gate().held();
    CHECK(at_window >= kOutputWindowBytes);
    CHECK(at_window < kOutputWindowBytes + 1024 * 1024);  // one read past it at most
    CHECK(received == at_window);

    runner.cancel();
    std::optional<JobEnded> end;
    REQUIRE(eventually([&] {
        for (RunnerEvent& event : events.take_all()) {
            if (auto* job = std::get_if<JobEnded>(&event)) end = *job;
        }
        return end.has_value();
    }));
    CHECK(end->outcome == protocol::JobOutcome::cancelled);
}
