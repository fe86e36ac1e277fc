// The shell executor with real processes: output, exit codes, environment, directories,
// no-output timeouts and cancellation.
#include <signal.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "agent/executor/executor_factory.h"
#include "executor_test_support.h"

using namespace fmg::agent;
using namespace fmg::agent::testing;
using namespace std::chrono_literals;

namespace {

struct ShellJob {
    TempWorkspace workspace;
    TempWorkspace work_dir;  // where running steps are recorded
    std::unique_ptr<Executor> executor;
    std::unique_ptr<JobExecution> execution;

    explicit ShellJob(Environment environment = {}, std::vector<std::string> pass_env = {}) {
        ExecutorOptions options{"", work_dir.path()};
        options.pass_env = std::move(pass_env);
        executor = make_executor("shell", options);
        JobSetup spec;
        spec.attempt_id = 7;
        spec.environment = std::move(environment);
        spec.working_directory = "~/project";
        spec.workspace = workspace.path();
        CollectedOutput ignored;
        auto started = executor->start(spec, ignored.sink());
        REQUIRE(started);
        execution = std::move(*started);
    }

    StepExit run(const std::string& command, CollectedOutput& output, RunStep step = {}) {
        step.command = command;
        return execution->run(step, output.sink());
    }
};

// True when `pid` is gone or a zombie nobody has reaped yet (it runs no more).
bool process_ended(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string content;
    if (!std::getline(stat, content)) return true;
    size_t close = content.rfind(')');
    return close != std::string::npos && content.size() > close + 2 && content[close + 2] == 'Z';
}

pid_t read_pid(const std::filesystem::path& file) {
    std::ifstream in(file);
    pid_t pid = 0;
    in >> pid;
    return pid;
}

}  // namespace

TEST_CASE("shell: output of stdout and stderr reaches the sink, exit codes are kept",
          "[shell-executor]") {
    ShellJob job;
    CollectedOutput output;
    StepExit exit = job.run("echo to-stdout; echo to-stderr >&2; exit 3", output);
    CHECK(exit.kind == StepExit::Kind::exited);
    CHECK(exit.exit_code == 3);
    CHECK(output.text() == "to-stdout\nto-stderr\n");

    CollectedOutput second;
    CHECK(job.run("true", second).exit_code == 0);
}

TEST_CASE("shell: output is streamed while the step still runs", "[shell-executor]") {
    ShellJob job;
    CollectedOutput output;
    auto go = job.workspace.path() / "go";
    std::atomic<bool> finished = false;
    std::thread runner([&] {
        job.run("echo first; while [ ! -e go ]; do sleep 0.02; done; echo second", output);
        finished = true;
    });
    bool first_seen = eventually([&] { return output.contains("first"); });
    CHECK(first_seen);
    CHECK_FALSE(finished);
    CHECK_FALSE(output.contains("second"));
    std::ofstream(go).put('x');
    runner.join();
    CHECK(output.text() == "first\nsecond\n");
}

TEST_CASE("shell: -eo pipefail semantics", "[shell-executor]") {
    ShellJob job;
    CollectedOutput pipeline;
    StepExit piped = job.run("false | true", pipeline);
    CHECK(piped.kind == StepExit::Kind::exited);
    CHECK(piped.exit_code != 0);

    CollectedOutput stops;
    StepExit stopped = job.run("echo before; false; echo after", stops);
    CHECK(stopped.exit_code == 1);
    CHECK(stops.text() == "before\n");

    CollectedOutput bash;
    job.run("echo \"shell=$0\"", bash);
    CHECK(bash.text() ==
          (std::filesystem::exists("/bin/bash") ? "shell=/bin/bash\n" : "shell=/bin/sh\n"));
}

TEST_CASE(
    "shell: environment is the allow-list, then the job's, then the step's, and never the "
    "agent's own",
    "[shell-executor]") {
    ::setenv("FMG_TEST_AGENT_ONLY", "agent", 1);
    ::setenv("FMG_TEST_OVERRIDDEN", "agent", 1);
    ::setenv("FMG_GIT_TOKEN", "ghp_agentSecret", 1);
    ShellJob job({{"FMG_TEST_OVERRIDDEN", "job"}, {"JOB_VAR", "job"}, {"BOTH", "job"}});
    ::unsetenv("FMG_TEST_AGENT_ONLY");
    ::unsetenv("FMG_TEST_OVERRIDDEN");
    ::unsetenv("FMG_GIT_TOKEN");
    RunStep step;
    step.environment = {{"BOTH", "step"}};
    CollectedOutput output;
    StepExit exit = job.run(
        "echo \"${FMG_TEST_AGENT_ONLY-unset} ${FMG_GIT_TOKEN-unset} $FMG_TEST_OVERRIDDEN $JOB_VAR "
        "$BOTH CI=$CI FMG=$FMG TERM=$TERM PATH=$PATH\"",
        output, step);
    CHECK(exit.exit_code == 0);
    CHECK(output.text() ==
          "unset unset job job step CI=true FMG=true TERM=dumb "
          "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n");
}

TEST_CASE("shell: --pass-env hands the named agent variables to steps, and only those",
          "[shell-executor]") {
    ::setenv("SHELL_TEST_PASSED", "passed", 1);
    ::setenv("SHELL_TEST_KEPT", "kept", 1);
    ShellJob job({}, {"SHELL_TEST_PASSED", "SHELL_TEST_NOT_SET"});
    ::unsetenv("SHELL_TEST_PASSED");
    ::unsetenv("SHELL_TEST_KEPT");
    CollectedOutput output;
    job.run("echo \"$SHELL_TEST_PASSED ${SHELL_TEST_KEPT-unset} ${SHELL_TEST_NOT_SET-unset}\"",
            output);
    CHECK(output.text() == "passed unset unset\n");
}

TEST_CASE("shell: the job directory is the workspace, step directories are under it",
          "[shell-executor]") {
    ShellJob job;
    std::ofstream(job.workspace.path() / "from-host.txt") << "host file\n";
    CollectedOutput output;
    CHECK(job.run("cat from-host.txt; pwd", output).exit_code == 0);
    CHECK(output.text() == "host file\n" + job.workspace.path().string() + "\n");

    RunStep step;
    step.working_directory = "web/app";
    CollectedOutput nested;
    CHECK(job.run("pwd; echo made > here.txt", nested, step).exit_code == 0);
    CHECK(nested.text() == (job.workspace.path() / "web/app").string() + "\n");
    CHECK(std::filesystem::exists(job.workspace.path() / "web/app/here.txt"));

    step.working_directory = "~/project/web";
    CollectedOutput spelled_out;
    CHECK(job.run("pwd", spelled_out, step).exit_code == 0);
    CHECK(spelled_out.text() == (job.workspace.path() / "web").string() + "\n");
}

TEST_CASE("shell: a silent step is stopped after no_output_timeout, with its whole group",
          "[shell-executor]") {
    ShellJob job;
    RunStep step;
    step.no_output_timeout = 300ms;
    CollectedOutput output;
    auto start = std::chrono::steady_clock::now();
    StepExit exit =
        job.run("echo started; sleep 30 & echo $! > background.pid; sleep 30", output, step);
    CHECK(exit.kind == StepExit::Kind::no_output_timeout);
    CHECK(seconds_since(start) < 3.0);
    CHECK(output.text() == "started\nfmg: step produced no output for 300ms; stopped\n");
    pid_t background = read_pid(job.workspace.path() / "background.pid");
    REQUIRE(background > 0);
    CHECK(eventually([&] { return process_ended(background); }, 3s));
}

TEST_CASE("shell: output resets the no-output timer", "[shell-executor]") {
    ShellJob job;
    RunStep step;
    step.no_output_timeout = 1s;  // far longer than a pause between ticks, shorter than all
    CollectedOutput output;
    StepExit exit = job.run("for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo tick; sleep 0.15; done",
                            output, step);
    CHECK(exit.kind == StepExit::Kind::exited);
    CHECK(exit.exit_code == 0);
}

TEST_CASE("shell: cancel from another thread ends a running step that ignores SIGTERM",
          "[shell-executor]") {
    ShellJob job;
    CollectedOutput output;
    StepExit exit;
    std::thread runner([&] { exit = job.run("echo ready; trap '' TERM; sleep 60", output); });
    REQUIRE(eventually([&] { return output.contains("ready"); }));
    auto cancelled_at = std::chrono::steady_clock::now();
    job.execution->cancel();
    runner.join();
    // SIGKILL follows kShellStopGrace (1 s) later; without it the step would sleep 60 s.
    CHECK(seconds_since(cancelled_at) < 10.0);
    CHECK(exit.kind == StepExit::Kind::cancelled);

    // Later steps are not started at all.
    CollectedOutput after;
    CHECK(job.run("echo must-not-run", after).kind == StepExit::Kind::cancelled);
    CHECK(after.text().empty());
}

TEST_CASE("shell: background processes end with their step", "[shell-executor]") {
    ShellJob job;
    CollectedOutput output;
    StepExit exit = job.run("sleep 30 & echo $! > background.pid; echo done", output);
    CHECK(exit.exit_code == 0);
    CHECK(output.text() == "done\n");
    pid_t background = read_pid(job.workspace.path() / "background.pid");
    REQUIRE(background > 0);
    CHECK(eventually([&] { return process_ended(background); }, 3s));
}

TEST_CASE("shell: a missing workspace fails the start", "[shell-executor]") {
    auto executor = make_executor("shell", {"", "/tmp"});
    REQUIRE(executor);
    CHECK(executor->name() == "shell");
    JobSetup spec;
    spec.workspace = "/nonexistent/fmg-workspace";
    CollectedOutput output;
    auto started = executor->start(spec, output.sink());
    REQUIRE_FALSE(started);
    CHECK_THAT(started.error().message, Catch::Contains("/nonexistent/fmg-workspace"));
    CHECK(make_executor("podman", {}) == nullptr);
}
