// The CircleCI commands every step gets (step_tools.h): the per-job directory, and the shell
// executor's plumbing (PATH, FMG_HALT_FILE, StepExit::halted) with a stand-in for the helper.
// The real helper in real jobs: tests/integration/circleci_commands_test.cpp.
#include "agent/executor/step_tools.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "agent/executor/executor_factory.h"
#include "executor_test_support.h"

using namespace fmg::agent;
using namespace fmg::agent::testing;

TEST_CASE("step tools: both command names link to the helper, the halt file starts empty",
          "[step-tools]") {
    TempWorkspace work_dir;
    TempWorkspace elsewhere;
    const auto program = write_fake_circleci_helper(elsewhere.path());
    auto tools = create_step_tools(work_dir.path(), 12, program);
    REQUIRE(tools);
    CHECK(tools->directory == work_dir.path() / "step-tools" / "attempt-12");
    CHECK(std::filesystem::read_symlink(tools->bin() / "circleci") == program);
    CHECK(std::filesystem::read_symlink(tools->bin() / "circleci-agent") == program);
    struct stat status {};
    REQUIRE(::stat(tools->halt_file().c_str(), &status) == 0);
    CHECK((status.st_mode & 07777) == 0666);  // a container's user of any uid writes it
    CHECK(status.st_size == 0);
    CHECK_FALSE(halt_requested(*tools));

    std::ofstream(tools->halt_file(), std::ios::app) << "halt\n";
    CHECK(halt_requested(*tools));

    // Made afresh for a retry of the same attempt number.
    auto again = create_step_tools(work_dir.path(), 12, program);
    REQUIRE(again);
    CHECK_FALSE(halt_requested(*again));

    auto other = create_step_tools(work_dir.path(), 13, program);
    REQUIRE(other);
    CHECK(remove_leftover_step_tools(work_dir.path(), {13}) == 1);
    CHECK_FALSE(std::filesystem::exists(again->directory));
    CHECK(std::filesystem::exists(other->directory));
    remove_step_tools(*other);
    CHECK_FALSE(std::filesystem::exists(other->directory));
    CHECK_FALSE(halt_requested(StepTools{}));
}

TEST_CASE("shell: every step finds circleci first on its PATH, and step halt marks the step",
          "[shell-executor][step-tools]") {
    TempWorkspace workspace;
    TempWorkspace work_dir;
    TempWorkspace elsewhere;
    ExecutorOptions options{"", work_dir.path()};
    options.circleci_program = write_fake_circleci_helper(elsewhere.path());
    auto executor = make_executor("shell", options);
    JobSetup spec;
    spec.attempt_id = 7;
    spec.working_directory = "~/project";
    spec.workspace = workspace.path();
    // A job that sets its own PATH still gets the commands first.
    spec.environment = {{"PATH", "/usr/bin:/bin"}};
    CollectedOutput ignored;
    auto started = executor->start(spec, ignored.sink());
    REQUIRE(started);
    auto& execution = **started;
    const auto bin = work_dir.path() / "step-tools" / "attempt-7" / "bin";

    CollectedOutput found;
    RunStep step;
    step.command = "command -v circleci; echo \"$PATH\"; circleci tests glob '*.txt'";
    StepExit exit = execution.run(step, found.sink());
    CHECK(exit.exit_code == 0);
    CHECK_FALSE(exit.halted);
    CHECK(found.text() == (bin / "circleci").string() + "\n" + bin.string() +
                              ":/usr/bin:/bin\nfake circleci tests glob *.txt\n");

    CollectedOutput halting;
    step.command = "circleci-agent step halt; echo after";
    exit = execution.run(step, halting.sink());
    CHECK(exit.exit_code == 0);
    CHECK(exit.halted);
    CHECK(halting.text() == "fake circleci-agent step halt\nafter\n");

    execution.close();
    CHECK_FALSE(std::filesystem::exists(bin.parent_path()));
}
