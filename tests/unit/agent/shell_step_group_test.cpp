// The shell executor's steps never outlive their agent: a step's processes die when the agent
// process is killed (its process group's guard kills them), and an agent started later kills
// what an earlier one's steps left running, recognised by its record and never by a bare,
// possibly reused, process group id. Real processes.

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "agent/executor/child_process.h"
#include "agent/executor/executor_factory.h"
#include "agent/executor/shell_process_table.h"
#include "agent/executor/shell_step_records.h"
#include "executor_test_support.h"

using namespace fmg;
using namespace fmg::agent;
using namespace fmg::agent::testing;
using namespace std::chrono_literals;

namespace {

// True when `pid` is gone or a zombie nobody has reaped yet (it runs no more).
bool process_ended(pid_t pid) {
    auto stat = read_process_stat(pid);
    return !stat || stat->state == 'Z';
}

pid_t read_pid(const std::filesystem::path& file) {
    std::ifstream in(file);
    pid_t pid = 0;
    in >> pid;
    return pid;
}

// Runs one step of attempt `attempt` with the shell executor, work dir `work_dir`.
StepExit run_step(const std::filesystem::path& work_dir, const std::filesystem::path& workspace,
                  int64_t attempt, const std::string& command, CollectedOutput& output) {
    auto executor = make_executor("shell", {"", work_dir});
    JobSetup spec;
    spec.attempt_id = attempt;
    spec.working_directory = "~/project";
    spec.workspace = workspace;
    auto execution = executor->start(spec, output.sink());
    REQUIRE(execution);
    RunStep step;
    step.command = command;
    return (*execution)->run(step, output.sink());
}

// A process in a group of its own that stands for something a step left running (or for a
// stranger's process), with the given environment.
ChildProcess start_sleeper(const std::vector<std::string>& env) {
    SpawnRequest spawn;
    spawn.argv = {"/bin/sleep", "1000"};
    spawn.env = env;
    spawn.working_directory = "/";
    auto child = ChildProcess::spawn(spawn);
    REQUIRE(child);
    return std::move(*child);
}

// Whether `child` exits within `limit` (without reaping it).
bool exits_within(const ChildProcess& child, std::chrono::milliseconds limit) {
    pollfd entry{child.exit_fd(), POLLIN, 0};
    return ::poll(&entry, 1, static_cast<int>(limit.count())) == 1;
}

}  // namespace

TEST_CASE("shell: a running step's process group is recorded, and the record goes with it",
          "[shell-executor]") {
    TempWorkspace work_dir;
    TempWorkspace workspace;
    const auto record = step_record_path(step_records_directory(work_dir.path()), 31);
    // The record is in the work dir, which the step cannot see: the step writes its group and
    // marker into its workspace and holds until released, while the test reads the record.
    CollectedOutput output;
    StepExit exit;
    std::thread runner([&] {
        exit = run_step(work_dir.path(), workspace.path(), 31,
                        "{ cut -d' ' -f5 /proc/$$/stat; echo \"$FMG_ATTEMPT_ID\"; } > ids.new; "
                        "mv ids.new ids; while [ ! -e release ]; do sleep 0.05; done",
                        output);
    });
    const bool started =
        eventually([&] { return std::filesystem::exists(workspace.path() / "ids"); });
    std::ifstream record_file(record);
    std::string record_line;
    std::getline(record_file, record_line);
    std::ofstream(workspace.path() / "release").flush();
    runner.join();
    REQUIRE(started);
    REQUIRE(exit.exit_code == 0);
    std::ifstream ids(workspace.path() / "ids");
    std::string group_line, marker_line;
    std::getline(ids, group_line);
    std::getline(ids, marker_line);
    auto parsed = parse_step_record(record_line);
    REQUIRE(parsed.has_value());
    CHECK(parsed->boot_id == current_boot_id());
    // The shell runs in the recorded group, whose leader is not the shell: the guard.
    CHECK(std::to_string(parsed->group) == group_line);
    CHECK(marker_line == "31");
    CHECK_FALSE(std::filesystem::exists(record));
    // Nothing of the group is left: not the shell, not the guard.
    CHECK(processes_in_group(parsed->group).empty());
}

TEST_CASE("shell: a step's processes die with the agent process that runs it", "[shell-executor]") {
    TempWorkspace work_dir;
    TempWorkspace workspace;
    const auto shell_pid_file = workspace.path() / "shell.pid";
    const auto child_pid_file = workspace.path() / "child.pid";
    // The agent: a process of its own that runs a step which never ends by itself, from a
    // thread as the agent's job runners do.
    const pid_t agent = ::fork();
    REQUIRE(agent >= 0);
    if (agent == 0) {
        std::thread runner([&] {
            CollectedOutput output;
            run_step(work_dir.path(), workspace.path(), 41,
                     "sleep 1000 & echo $! > child.pid.new; mv child.pid.new child.pid; "
                     "echo $$ > shell.pid.new; mv shell.pid.new shell.pid; wait",
                     output);
        });
        runner.join();
        ::_exit(0);
    }
    REQUIRE(
        eventually([&] { return read_pid(shell_pid_file) > 0 && read_pid(child_pid_file) > 0; }));
    const pid_t shell = read_pid(shell_pid_file);
    const pid_t child = read_pid(child_pid_file);
    REQUIRE_FALSE(process_ended(shell));
    REQUIRE_FALSE(process_ended(child));

    REQUIRE(::kill(agent, SIGKILL) == 0);
    int status = 0;
    REQUIRE(::waitpid(agent, &status, 0) == agent);
    CHECK(eventually([&] { return process_ended(shell) && process_ended(child); }, 3s));
    // Only the agent's own death ended them: nothing ran the record's cleanup.
    CHECK(std::filesystem::exists(step_record_path(step_records_directory(work_dir.path()), 41)));
}

TEST_CASE("shell: at start the agent kills the step groups an earlier one left running",
          "[shell-executor]") {
    TempWorkspace work_dir;
    const auto records = step_records_directory(work_dir.path());
    auto executor = make_executor("shell", {"", work_dir.path()});
    const std::string boot = current_boot_id();
    REQUIRE_FALSE(boot.empty());

    // A step whose guard was killed too: its shell still carries the attempt's marker.
    ChildProcess marked = start_sleeper({attempt_marker(51)});
    REQUIRE(write_step_record(step_record_path(records, 51), {boot, marked.pid(), 1}));
    // A step whose recorded leader is still there (same id, same start time).
    ChildProcess leader = start_sleeper({});
    auto leader_stat = read_process_stat(leader.pid());
    REQUIRE(leader_stat.has_value());
    REQUIRE(write_step_record(step_record_path(records, 52),
                              {boot, leader.pid(), leader_stat->start_ticks}));
    // A step of an attempt the agent still runs.
    ChildProcess kept = start_sleeper({attempt_marker(53)});
    REQUIRE(write_step_record(step_record_path(records, 53), {boot, kept.pid(), 1}));

    CHECK(executor->remove_orphans({53}) == 2);
    REQUIRE(exits_within(marked, 3s));
    REQUIRE(exits_within(leader, 3s));
    CHECK(marked.reap().value() == 128 + SIGKILL);
    CHECK(leader.reap().value() == 128 + SIGKILL);
    CHECK_FALSE(std::filesystem::exists(step_record_path(records, 51)));
    CHECK_FALSE(std::filesystem::exists(step_record_path(records, 52)));
    CHECK(std::filesystem::exists(step_record_path(records, 53)));
    CHECK_FALSE(process_ended(kept.pid()));
}

TEST_CASE("shell: a recorded group id that is no longer the step's is never killed",
          "[shell-executor]") {
    TempWorkspace work_dir;
    const auto records = step_records_directory(work_dir.path());
    auto executor = make_executor("shell", {"", work_dir.path()});
    const std::string boot = current_boot_id();

    // The id was reused: the process leading that group now started at another time and
    // carries no marker (or another attempt's).
    ChildProcess stranger = start_sleeper({"FMG_ATTEMPT_ID=999"});
    auto stat = read_process_stat(stranger.pid());
    REQUIRE(stat.has_value());
    REQUIRE(write_step_record(step_record_path(records, 61),
                              {boot, stranger.pid(), stat->start_ticks + 1}));
    // A record of an earlier boot names nothing of this one.
    ChildProcess other_boot = start_sleeper({attempt_marker(62)});
    REQUIRE(write_step_record(step_record_path(records, 62),
                              {"00000000-0000-0000-0000-000000000000", other_boot.pid(), 1}));
    // Unreadable records and half-written temporaries.
    std::ofstream(step_record_path(records, 63)) << "not a record";
    std::ofstream(records / "attempt-64.pgid.new") << boot << " 1 1\n";

    CHECK(executor->remove_orphans({}) == 0);
    CHECK_FALSE(process_ended(stranger.pid()));
    CHECK_FALSE(process_ended(other_boot.pid()));
    CHECK(std::filesystem::is_empty(records));
}

TEST_CASE("shell: step records parse only what was written") {
    auto parsed = parse_step_record("3f0c-boot 4242 987654\n");
    REQUIRE(parsed.has_value());
    CHECK(parsed->boot_id == "3f0c-boot");
    CHECK(parsed->group == 4242);
    CHECK(parsed->start_ticks == 987654);
    CHECK_FALSE(parse_step_record(""));
    CHECK_FALSE(parse_step_record("boot 4242"));
    CHECK_FALSE(parse_step_record("boot 4242 1 extra"));
    CHECK_FALSE(parse_step_record("boot -5 1"));
    // Group 1 or 0 would signal init or ourselves.
    CHECK_FALSE(parse_step_record("boot 1 1"));
    CHECK_FALSE(parse_step_record("boot 0 1"));
    CHECK(step_record_path("/x", 5) == "/x/attempt-5.pgid");
    CHECK(attempt_marker(5) == "FMG_ATTEMPT_ID=5");
}
