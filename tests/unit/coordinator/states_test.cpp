#include "coordinator/domain/states.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace fmg::coordinator;

namespace {
const std::vector<PipelineState> kAllPipeline = {PipelineState::queued,  PipelineState::running,
                                                 PipelineState::success, PipelineState::failed,
                                                 PipelineState::error,   PipelineState::cancelled};
const std::vector<JobState> kAllJob = {JobState::blocked,   JobState::on_hold, JobState::queued,
                                       JobState::running,   JobState::success, JobState::failed,
                                       JobState::cancelled, JobState::skipped, JobState::error};
const std::vector<AttemptState> kAllAttempt = {
    AttemptState::assigned, AttemptState::running,   AttemptState::success, AttemptState::failed,
    AttemptState::lost,     AttemptState::cancelled, AttemptState::error};
const std::vector<StepState> kAllStep = {StepState::running, StepState::success,
                                         StepState::failed,  StepState::cancelled,
                                         StepState::error,   StepState::lost};
const std::vector<RunnerState> kAllRunner = {RunnerState::online, RunnerState::draining,
                                             RunnerState::lost, RunnerState::offline,
                                             RunnerState::revoked};

std::string edges(auto all) {
    std::string out;
    for (auto from : all) {
        for (auto to : all) {
            if (can_transition(from, to)) {
                out += std::string(to_string(from)) + "->" + std::string(to_string(to)) + " ";
            }
        }
    }
    return out;
}
}  // namespace

TEST_CASE("state names round-trip and match SPEC") {
    for (auto s : kAllPipeline) CHECK(parse_pipeline_state(to_string(s)) == s);
    for (auto s : kAllJob) CHECK(parse_job_state(to_string(s)) == s);
    for (auto s : kAllAttempt) CHECK(parse_attempt_state(to_string(s)) == s);
    for (auto s : kAllStep) CHECK(parse_step_state(to_string(s)) == s);
    for (auto s : kAllRunner) CHECK(parse_runner_state(to_string(s)) == s);
    // Shown by the API for steps without a row, never stored.
    CHECK_FALSE(parse_step_state("pending"));
    CHECK_FALSE(parse_step_state("skipped"));
    CHECK_FALSE(parse_job_state("done"));
    CHECK(to_string(JobState::skipped) == "skipped");
    CHECK(to_string(JobState::on_hold) == "on_hold");
}

TEST_CASE("the pipeline state machine, every pair") {
    CHECK(edges(kAllPipeline) ==
          "queued->running queued->success queued->failed queued->error queued->cancelled "
          "running->success running->failed running->error running->cancelled ");
}

TEST_CASE("the job state machine, every pair") {
    CHECK(edges(kAllJob) ==
          "blocked->on_hold blocked->queued blocked->success blocked->cancelled blocked->skipped "
          "blocked->error "
          "on_hold->queued on_hold->success on_hold->cancelled "
          "queued->running queued->cancelled queued->skipped queued->error "
          "running->queued running->success running->failed running->cancelled "
          "running->error ");
}

TEST_CASE("the attempt state machine, every pair") {
    CHECK(edges(kAllAttempt) ==
          "assigned->running assigned->success assigned->failed assigned->lost "
          "assigned->cancelled assigned->error running->success running->failed "
          "running->lost running->cancelled running->error ");
}

TEST_CASE("the step state machine, every pair") {
    CHECK(edges(kAllStep) ==
          "running->success running->failed running->cancelled running->error running->lost ");
}

TEST_CASE("runner states: revocation is final") {
    for (auto to : kAllRunner) CHECK_FALSE(can_transition(RunnerState::revoked, to));
    for (auto s : kAllRunner) CHECK(is_terminal(s) == (s == RunnerState::revoked));
    CHECK(can_transition(RunnerState::lost, RunnerState::online));
    CHECK(can_transition(RunnerState::online, RunnerState::revoked));
}

TEST_CASE("terminal states") {
    for (auto s : kAllPipeline) {
        CHECK(is_terminal(s) == (s != PipelineState::queued && s != PipelineState::running));
    }
    CHECK_FALSE(is_terminal(JobState::blocked));
    CHECK_FALSE(is_terminal(JobState::on_hold));  // held jobs can still be approved or cancelled
    CHECK(is_terminal(JobState::skipped));
    CHECK(is_terminal(AttemptState::lost));
    CHECK_FALSE(is_terminal(AttemptState::assigned));
    for (auto s : kAllStep) CHECK(is_terminal(s) == (s != StepState::running));
}

TEST_CASE("attempts that ended with a job result") {
    std::string ended;
    for (auto s : kAllAttempt) {
        if (ended_with_result(s)) ended += std::string(to_string(s)) + " ";
    }
    CHECK(ended == "success failed error ");
}
