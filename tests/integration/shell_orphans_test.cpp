// A shell runner's agent killed with SIGKILL mid-step (a crashed runner host process): the
// step's processes, its shell and what the shell started, end with the agent, without
// waiting for anything to restart. If the crash also took the guard that ends them, the
// agent's next start kills them, found through its record in the work dir.

#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <optional>
#include <sstream>

#include "tests/support/cluster.h"
#include "tests/support/held_job.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

constexpr std::chrono::seconds kProcessesEndTimeout{5};
constexpr std::chrono::seconds kAgentExitTimeout{5};

// A step that starts a background `sleep 1000` and waits for it, after writing its shell's
// and the sleep's pids to DIR (renamed into place: never read half-written). It prints before
// it writes the pids: once the test sees them the shell writes nothing more, so a test that
// kills the agent (the reader of its output) cannot end the shell by SIGPIPE.
std::string sleeper_config(const std::filesystem::path& dir) {
    const std::string d = dir.string();
    return R"yaml(version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run:
          name: Sleep
          command: |
            sleep 1000 &
            echo "sleeping"
            echo $! > )yaml" +
           d + "/child.pid.new && mv " + d + "/child.pid.new " + d + R"yaml(/child.pid
            echo $$ > )yaml" +
           d + "/shell.pid.new && mv " + d + "/shell.pid.new " + d + R"yaml(/shell.pid
            wait
)yaml";
}

// One field of /proc/PID/stat (1-based, as proc(5) numbers them); nullopt when the process
// is gone.
std::optional<std::string> stat_field(pid_t pid, size_t number) {
    const std::string text = read_file_text("/proc/" + std::to_string(pid) + "/stat");
    const size_t close = text.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream rest(text.substr(close + 2));
    std::string field;
    for (size_t at = 3; rest >> field; ++at) {
        if (at == number) return field;
    }
    return std::nullopt;
}

// A process seen once, recognised later by its id and start time (ids are reused).
struct Seen {
    pid_t pid = 0;
    std::string start_time;

    explicit Seen(pid_t id) : pid(id), start_time(stat_field(id, 22).value_or("")) {}
    // Still the same process, and not a zombie.
    bool running() const {
        auto state = stat_field(pid, 3);
        return state && *state != "Z" && stat_field(pid, 22) == start_time;
    }
};

// Kills, when it goes out of scope, the processes it saw if they still run: a failing test
// must not leave `sleep 1000` behind.
class Sweeper {
  public:
    ~Sweeper() {
        for (const Seen& process : seen_) {
            if (process.running()) ::kill(process.pid, SIGKILL);
        }
    }
    void add(const Seen& process) { seen_.push_back(process); }

  private:
    std::vector<Seen> seen_;
};

pid_t read_pid(const std::filesystem::path& file) {
    std::istringstream in(read_file_text(file));
    pid_t pid = 0;
    in >> pid;
    return pid;
}

struct RunningStep {
    int64_t attempt_id = 0;
    Seen shell;
    Seen child;
};

// Pushes the sleeper pipeline and waits until its step runs on `runner`.
RunningStep start_sleeper(Cluster& cluster, const std::string& runner, Sweeper& sweeper) {
    const std::filesystem::path pids = cluster.dir() / "step-pids";
    std::filesystem::create_directories(pids);
    GitRepo repo = cluster.make_repo();
    repo.write_config(sleeper_config(pids));
    const int64_t id = cluster.push(repo, repo.commit("A step that sleeps in the background"));
    cluster.wait_until(
        deadline_after(kPipelineTimeout),
        [&] {
            return read_pid(pids / "shell.pid") > 0 && read_pid(pids / "child.pid") > 0 &&
                   !job_attempts(cluster.pipeline(id), "build").empty();
        },
        "the step to start its background sleep");
    const auto attempt = job_attempts(cluster.pipeline(id), "build").back();
    REQUIRE(string_field(attempt, "runner") == runner);
    RunningStep step{int_field(attempt, "id"), Seen(read_pid(pids / "shell.pid")),
                     Seen(read_pid(pids / "child.pid"))};
    sweeper.add(step.shell);
    sweeper.add(step.child);
    REQUIRE(step.shell.running());
    REQUIRE(step.child.running());
    return step;
}

std::filesystem::path step_record(const Cluster& cluster, const std::string& runner,
                                  int64_t attempt_id) {
    return cluster.dir() / "agents" / runner / "shell-steps" /
           ("attempt-" + std::to_string(attempt_id) + ".pgid");
}

ClusterOptions one_attempt() {
    ClusterOptions options;
    // The lost job must not come back to the restarted agent and start another sleeper.
    options.coordinator_args = {"--max-attempts", "1"};
    return options;
}

}  // namespace

TEST_CASE("faults: kill -9 of a shell runner's agent ends its step's processes with it") {
    Cluster cluster(one_attempt());
    const AgentOptions agent = shell_agent_options();
    Process& victim = cluster.start_runner("runner-1", agent);
    Sweeper sweeper;
    const RunningStep step = start_sleeper(cluster, "runner-1", sweeper);
    const auto record = step_record(cluster, "runner-1", step.attempt_id);
    REQUIRE(std::filesystem::exists(record));

    const auto killed_at = Clock::now();
    victim.kill(SIGKILL);
    cluster.wait_until(
        deadline_after(kProcessesEndTimeout),
        [&] { return !step.shell.running() && !step.child.running(); },
        "the step's shell (pid " + std::to_string(step.shell.pid) + ") and its sleep (pid " +
            std::to_string(step.child.pid) + ") to end with the agent");
    print_measurement(
        "kill -9 of the agent -> step processes gone",
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - killed_at));
    REQUIRE(victim.wait_for(deadline_after(kAgentExitTimeout)));

    // The record of the dead agent's step is left for the next start, which removes it.
    CHECK(std::filesystem::exists(record));
    cluster.restart_agent("runner-1", agent);
    cluster.wait_for_runner_state("runner-1", "online");
    cluster.wait_until(
        deadline_after(kProcessesEndTimeout), [&] { return !std::filesystem::exists(record); },
        "the restarted agent to remove the step record " + record.string());
    cluster.stop_gracefully();
}

TEST_CASE(
    "faults: an agent started after a crash that also killed the step's guard kills the step's "
    "leftover processes") {
    Cluster cluster(one_attempt());
    const AgentOptions agent = shell_agent_options();
    Process& victim = cluster.start_runner("runner-1", agent);
    Sweeper sweeper;
    const RunningStep step = start_sleeper(cluster, "runner-1", sweeper);
    const auto record = step_record(cluster, "runner-1", step.attempt_id);
    REQUIRE(std::filesystem::exists(record));

    // The step's process group is led by the agent's guard process for it.
    const pid_t guard = static_cast<pid_t>(std::stoll(stat_field(step.shell.pid, 5).value()));
    REQUIRE(read_file_text("/proc/" + std::to_string(guard) + "/comm") == "fmg-step-guard\n");
    REQUIRE(std::to_string(guard) == stat_field(step.child.pid, 5).value());
    REQUIRE(::kill(guard, SIGKILL) == 0);
    cluster.wait_until(
        deadline_after(kProcessesEndTimeout),
        [&] { return stat_field(guard, 3).value_or("Z") == "Z"; }, "the guard to die");
    victim.kill(SIGKILL);
    REQUIRE(victim.wait_for(deadline_after(kAgentExitTimeout)));
    // Nothing ended them this time: the agent and its guard are both gone.
    REQUIRE(step.shell.running());
    REQUIRE(step.child.running());

    cluster.restart_agent("runner-1", agent);
    cluster.wait_until(
        deadline_after(kProcessesEndTimeout + kProcessesEndTimeout),
        [&] { return !step.shell.running() && !step.child.running(); },
        "the restarted agent to kill the step's shell and sleep left by the crashed one");
    CHECK_FALSE(std::filesystem::exists(record));
    cluster.wait_for_runner_state("runner-1", "online");
    cluster.stop_gracefully();
}
