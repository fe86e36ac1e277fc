#include "agent/session/job_runner.h"

#include "shared/git/mirror.h"
#include "shared/log.h"

namespace fmg::agent {

JobRunner::JobRunner(protocol::Assign assign, Executor& executor, std::filesystem::path work_dir,
                     Mailbox<RunnerEvent>& events, const Clock& clock)
    : assign_(std::move(assign)),
      executor_(executor),
      work_dir_(std::move(work_dir)),
      workspace_(work_dir_ / "workspaces" / ("attempt-" + std::to_string(assign_.attempt_id))),
      events_(events),
      clock_(clock) {}

JobRunner::~JobRunner() {
    cancel();
    if (thread_.joinable()) thread_.join();
}

void JobRunner::start() {
    thread_ = std::thread([this] { run(); });
}

void JobRunner::cancel() {
    cancelled_ = true;
    std::lock_guard lock(session_mutex_);
    if (session_) session_->cancel();
}

void JobRunner::emit_output(std::string_view bytes) {
    events_.post(Output{assign_.attempt_id, std::string(bytes)});
}

void JobRunner::run() {
    auto [outcome, error] = run_steps();
    {
        std::lock_guard lock(session_mutex_);
        if (session_) session_->close();
    }
    std::error_code ignored;
    std::filesystem::remove_all(workspace_, ignored);
    events_.post(JobEnded{assign_.attempt_id, outcome, error, clock_.wall_ms()});
}

bool JobRunner::checkout(const OutputSink& output, std::string& error) {
    auto mirror = git::Mirror::open(work_dir_ / "mirrors", assign_.repo_url);
    if (!mirror) {
        error = mirror.error().message;
        return false;
    }
    if (!mirror->has_commit(assign_.sha)) {
        if (auto fetched = mirror->fetch(); !fetched) {
            error = fetched.error().message;
            return false;
        }
    }
    if (auto done = mirror->checkout(assign_.sha, workspace_); !done) {
        error = done.error().message;
        return false;
    }
    output("Checked out " + assign_.sha.substr(0, 12) + " (" + assign_.ref + ")\n");
    return true;
}

std::pair<protocol::JobOutcome, std::string> JobRunner::run_steps() {
    using protocol::JobOutcome;
    using protocol::StepOutcome;
    OutputSink output = [this](std::string_view bytes) { emit_output(bytes); };

    std::error_code ec;
    std::filesystem::remove_all(workspace_, ec);
    std::filesystem::create_directories(workspace_, ec);
    if (ec)
        return {JobOutcome::error,
                "cannot create workspace " + workspace_.string() + ": " + ec.message()};

    JobSpec job;
    job.attempt_id = assign_.attempt_id;
    job.image = assign_.image;
    job.services = assign_.services;
    job.environment = assign_.environment;
    job.working_directory = assign_.working_directory;
    job.workspace = workspace_;
    auto started = executor_.start(job, output);
    if (!started) {
        output("fmg: " + started.error().message + "\n");
        return {JobOutcome::error, started.error().message};
    }
    {
        std::lock_guard lock(session_mutex_);
        session_ = std::move(started.value());
        if (cancelled_) session_->cancel();
    }

    bool failed = false;
    for (uint32_t index = 0; index < assign_.steps.size(); ++index) {
        if (cancelled_) return {JobOutcome::cancelled, ""};
        const protocol::StepSpec& step = assign_.steps[index];
        // CircleCI `when`: on_success steps run while all before succeeded, on_fail steps only
        // after a failure, always steps regardless.
        bool runs = step.when == protocol::StepWhen::always ||
                    (step.when == protocol::StepWhen::on_fail) == failed;
        if (!runs) continue;
        events_.post(StepBegan{assign_.attempt_id, index, clock_.wall_ms()});
        if (step.kind == protocol::StepKind::checkout) {
            std::string error;
            bool ok = checkout(output, error);
            if (!ok) output("fmg: checkout failed: " + error + "\n");
            events_.post(StepEnded{assign_.attempt_id, index,
                                   ok ? StepOutcome::success : StepOutcome::error, ok ? 0 : -1,
                                   clock_.wall_ms()});
            if (!ok) return {JobOutcome::error, "checkout failed: " + error};
            continue;
        }
        RunStep run;
        run.name = step.name;
        run.command = step.command;
        run.environment = step.environment;
        run.working_directory = step.working_directory;
        if (step.no_output_timeout_ms > 0)
            run.no_output_timeout = Millis(step.no_output_timeout_ms);
        StepExit exit = session_->run(run, output);
        StepOutcome outcome = StepOutcome::success;
        switch (exit.kind) {
            case StepExit::Kind::exited:
                outcome = exit.exit_code == 0 ? StepOutcome::success : StepOutcome::failed;
                break;
            case StepExit::Kind::no_output_timeout:
                outcome = StepOutcome::failed;
                break;
            case StepExit::Kind::cancelled:
                outcome = StepOutcome::cancelled;
                break;
            case StepExit::Kind::error:
                outcome = StepOutcome::error;
                break;
        }
        events_.post(
            StepEnded{assign_.attempt_id, index, outcome, exit.exit_code, clock_.wall_ms()});
        if (outcome == StepOutcome::cancelled) return {JobOutcome::cancelled, ""};
        if (outcome == StepOutcome::error) return {JobOutcome::error, exit.message};
        if (outcome == StepOutcome::failed) failed = true;
    }
    if (cancelled_) return {JobOutcome::cancelled, ""};
    return {failed ? JobOutcome::failed : JobOutcome::success, ""};
}

}  // namespace fmg::agent
