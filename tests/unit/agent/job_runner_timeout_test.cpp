// A job's time limits in the agent's job runner, with real shell processes: the job timeout
// (Assign::job_timeout_ms) stops the running step and ends the job in `error` with a line in
// the log; a step's no-output timeout also makes the job an `error`. The job's own clock is a
// ManualClock, so the test decides when the time is up.

#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "agent/executor/executor_factory.h"
#include "agent/job/job_runner.h"
#include "executor_test_support.h"

using namespace fmg;
using namespace fmg::agent;
using namespace fmg::agent::testing;
using namespace std::chrono_literals;

namespace {

protocol::StepSpec run_step(const std::string& name, const std::string& command,
                            protocol::StepWhen when = protocol::StepWhen::on_success) {
    protocol::StepSpec step;
    step.kind = protocol::StepKind::run;
    step.name = name;
    step.command = command;
    step.when = when;
    return step;
}

protocol::Assign shell_job(std::vector<protocol::StepSpec> steps, uint32_t job_timeout_ms) {
    protocol::Assign assign;
    assign.attempt_id = 31;
    assign.pipeline_id = 4;
    assign.job_name = "build";
    assign.working_directory = "~/project";
    assign.steps = std::move(steps);
    assign.job_timeout_ms = job_timeout_ms;
    return assign;
}

/// What the runner reported, collected from its mailbox.
struct Reports {
    std::string log;
    std::vector<StepEnded> steps;
    std::optional<JobEnded> end;

    void take(Mailbox<RunnerEvent>& events) {
        for (RunnerEvent& event : events.take_all()) {
            if (auto* output = std::get_if<Output>(&event)) log += output->bytes;
            if (auto* step = std::get_if<StepEnded>(&event)) steps.push_back(*step);
            if (auto* job = std::get_if<JobEnded>(&event)) end = *job;
        }
    }
    /// Collects until `condition` holds; false after 10 s.
    bool until(Mailbox<RunnerEvent>& events, const std::function<bool()>& condition) {
        return eventually([&] {
            take(events);
            return condition();
        });
    }
};

bool process_running(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string content;
    if (!std::getline(stat, content)) return false;
    size_t close = content.rfind(')');
    return close != std::string::npos && content.size() > close + 2 && content[close + 2] != 'Z';
}

}  // namespace

TEST_CASE(
    "timeouts: the job timeout stops the running step and ends the job in error with a "
    "line in the log") {
    TempWorkspace work_dir;
    TempWorkspace scratch;  // outside the job's workspace, which goes with the job
    const auto pid_file = scratch.path() / "step.pid";
    auto executor = make_executor("shell", {"", work_dir.path()});
    Mailbox<RunnerEvent> events;
    ManualClock clock;
    JobRunner runner(shell_job({run_step("Sleep", "echo $$ > '" + pid_file.string() +
                                                      "'; echo started; "
                                                      "sleep 600"),
                                run_step("After", "echo must-not-run", protocol::StepWhen::always)},
                               60'000),
                     *executor, work_dir.path(), events, clock);
    runner.start();
    REQUIRE(runner.deadline() == clock.steady_now() + 60s);

    Reports reports;
    REQUIRE(reports.until(events, [&] { return reports.log == "started\n"; }));
    CHECK_FALSE(runner.enforce_deadline(clock.steady_now() + 60s - 1ms));
    clock.advance(60s);
    auto stopped_at = std::chrono::steady_clock::now();
    CHECK(runner.enforce_deadline(clock.steady_now()));
    CHECK_FALSE(runner.deadline().has_value());  // the loop stops waking for it
    CHECK_FALSE(runner.enforce_deadline(clock.steady_now()));

    REQUIRE(reports.until(events, [&] { return reports.end.has_value(); }));
    CHECK(seconds_since(stopped_at) < 3.0);
    CHECK(reports.end->outcome == protocol::JobOutcome::error);
    CHECK(reports.end->error == "job timed out after 60 s");
    CHECK(reports.log == "started\nfmg: job timed out after 60 s (--job-timeout)\n");
    // The step failed (it was killed) and nothing after it ran.
    REQUIRE(reports.steps.size() == 1);
    CHECK(reports.steps[0].outcome == protocol::StepOutcome::failed);
    pid_t step_pid = 0;
    std::ifstream(pid_file) >> step_pid;
    REQUIRE(step_pid > 0);
    CHECK(eventually([&] { return !process_running(step_pid); }, 3s));
}

TEST_CASE("timeouts: a job timeout between steps ends the job before the next one") {
    TempWorkspace work_dir;
    auto executor = make_executor("shell", {"", work_dir.path()});
    Mailbox<RunnerEvent> events;
    ManualClock clock;
    // The first step waits for the test to say the time is up, then ends by itself.
    TempWorkspace scratch;
    const auto go = scratch.path() / "go";
    JobRunner runner(shell_job({run_step("Wait", "echo waiting; while [ ! -e '" + go.string() +
                                                     "' ]; do sleep 0.05; done"),
                                run_step("Next", "echo must-not-run")},
                               1500),
                     *executor, work_dir.path(), events, clock);
    runner.start();
    Reports reports;
    REQUIRE(reports.until(events, [&] { return reports.log == "waiting\n"; }));
    clock.advance(1500ms);
    REQUIRE(runner.enforce_deadline(clock.steady_now()));
    std::ofstream(go).put('\n');

    REQUIRE(reports.until(events, [&] { return reports.end.has_value(); }));
    CHECK(reports.end->outcome == protocol::JobOutcome::error);
    CHECK(reports.end->error == "job timed out after 1500 ms");
    CHECK(reports.log.find("must-not-run") == std::string::npos);
    CHECK(reports.log.find("fmg: job timed out after 1500 ms (--job-timeout)\n") !=
          std::string::npos);
}

TEST_CASE("timeouts: a job without a limit has no deadline, and cancel still ends it cancelled") {
    TempWorkspace work_dir;
    auto executor = make_executor("shell", {"", work_dir.path()});
    Mailbox<RunnerEvent> events;
    ManualClock clock;
    JobRunner runner(shell_job({run_step("Sleep", "echo started; sleep 600")}, 0), *executor,
                     work_dir.path(), events, clock);
    runner.start();
    CHECK_FALSE(runner.deadline().has_value());
    Reports reports;
    REQUIRE(reports.until(events, [&] { return reports.log == "started\n"; }));
    clock.advance(std::chrono::hours(24 * 30));
    CHECK_FALSE(runner.enforce_deadline(clock.steady_now()));

    runner.cancel();
    REQUIRE(reports.until(events, [&] { return reports.end.has_value(); }));
    CHECK(reports.end->outcome == protocol::JobOutcome::cancelled);
    CHECK(reports.end->error.empty());
    CHECK(reports.log == "started\n");
}

TEST_CASE(
    "timeouts: a step stopped by its no-output timeout fails, later 'always' steps run, "
    "and the job is an error") {
    TempWorkspace work_dir;
    auto executor = make_executor("shell", {"", work_dir.path()});
    Mailbox<RunnerEvent> events;
    ManualClock clock;
    protocol::StepSpec silent = run_step("Silent", "echo hello; sleep 30");
    silent.no_output_timeout_ms = 300;
    JobRunner runner(
        shell_job({silent, run_step("Cleanup", "echo cleaning up", protocol::StepWhen::always)}, 0),
        *executor, work_dir.path(), events, clock);
    runner.start();

    Reports reports;
    REQUIRE(reports.until(events, [&] { return reports.end.has_value(); }));
    CHECK(reports.end->outcome == protocol::JobOutcome::error);
    CHECK(reports.end->error == "Silent: step produced no output for 300ms; stopped");
    REQUIRE(reports.steps.size() == 2);
    CHECK(reports.steps[0].outcome == protocol::StepOutcome::failed);
    CHECK(reports.steps[1].outcome == protocol::StepOutcome::success);
    CHECK(reports.log == "hello\nfmg: step produced no output for 300ms; stopped\ncleaning up\n");
}
