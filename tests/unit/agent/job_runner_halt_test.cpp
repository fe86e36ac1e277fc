// `circleci-agent step halt` in the agent's job runner, with real shell steps and a stand-in
// for the helper: the job ends after the halting step, `when: always` steps included, and
// succeeds unless a step had failed (CircleCI's configuration reference, "Ending a job from
// within a step").

#include <catch2/catch.hpp>

#include "agent/executor/executor_factory.h"
#include "agent/executor/step_tools.h"
#include "agent/job/job_runner.h"
#include "executor_test_support.h"

using namespace fmg;
using namespace fmg::agent;
using namespace fmg::agent::testing;

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

struct HaltJob {
    TempWorkspace work_dir;
    TempWorkspace helper_dir;
    std::unique_ptr<Executor> executor;
    Mailbox<RunnerEvent> events;
    ManualClock clock;
    std::string log;
    std::vector<StepEnded> steps;
    std::optional<JobEnded> end;

    explicit HaltJob(std::vector<protocol::StepSpec> step_specs) {
        ExecutorOptions options{"", work_dir.path()};
        options.circleci_program = write_fake_circleci_helper(helper_dir.path());
        executor = make_executor("shell", options);
        protocol::Assign assign;
        assign.attempt_id = 41;
        assign.job_name = "build";
        assign.working_directory = "~/project";
        assign.steps = std::move(step_specs);
        JobRunner runner(std::move(assign), *executor, work_dir.path(), events, clock);
        runner.start();
        REQUIRE(eventually([&] {
            for (RunnerEvent& event : events.take_all()) {
                if (auto* output = std::get_if<Output>(&event)) log += output->bytes;
                if (auto* step = std::get_if<StepEnded>(&event)) steps.push_back(*step);
                if (auto* job = std::get_if<JobEnded>(&event)) end = *job;
            }
            return end.has_value();
        }));
    }
};

}  // namespace

TEST_CASE("step halt: no later step runs, not even when: always, and the job succeeds",
          "[step-tools]") {
    HaltJob job({run_step("Before", "echo before"),
                 run_step("Halt", "circleci-agent step halt >/dev/null; echo halting"),
                 run_step("Never", "echo never-runs"),
                 run_step("Always", "echo always-skipped", protocol::StepWhen::always)});
    CHECK(job.end->outcome == protocol::JobOutcome::success);
    REQUIRE(job.steps.size() == 2);
    CHECK(job.steps[1].outcome == protocol::StepOutcome::success);
    CHECK(job.log ==
          "before\nhalting\nfmg: the step ran 'circleci-agent step halt': no further step runs\n");
    // The job's step tools went with it.
    CHECK_FALSE(std::filesystem::exists(step_tools_directory(job.work_dir.path(), 41)));
}

TEST_CASE("step halt: a job with a failed step stays failed, and `circleci step halt` works too",
          "[step-tools]") {
    HaltJob job({run_step("Fail", "exit 3"),
                 run_step("Halt", "circleci step halt", protocol::StepWhen::on_fail),
                 run_step("Always", "echo always-skipped", protocol::StepWhen::always)});
    CHECK(job.end->outcome == protocol::JobOutcome::failed);
    REQUIRE(job.steps.size() == 2);
    CHECK(job.steps[0].outcome == protocol::StepOutcome::failed);
    CHECK_THAT(job.log, !Catch::Contains("always-skipped"));
}

TEST_CASE("step halt: a halting step that fails fails the job", "[step-tools]") {
    HaltJob job({run_step("Halt", "circleci-agent step halt; exit 4"),
                 run_step("Never", "echo never-runs")});
    CHECK(job.end->outcome == protocol::JobOutcome::failed);
    REQUIRE(job.steps.size() == 1);
    CHECK(job.steps[0].outcome == protocol::StepOutcome::failed);
    CHECK_THAT(job.log, !Catch::Contains("never-runs"));
}
