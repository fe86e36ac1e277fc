// --job-timeout with the real binaries: a step that would sleep for ten minutes is stopped
// when the job's time is up, the job and its pipeline end in `error` (not retried), the log
// says why in its last line, the step's container (Docker) or process (shell) is gone, and
// GitHub gets `error` for fmg/build. And the coordinator's own backstop: a job whose agent is
// gone while a restarted coordinator waits for it still ends at its limit (plus the grace).
// Prints how long each took.

#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>

#include "tests/support/cluster.h"
#include "tests/support/docker.h"
#include "tests/support/held_job.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

constexpr std::chrono::seconds kJobTimeout{2};
// The agent stops the job at its limit; allow for a loaded machine, but far less than the
// coordinator's own backstop (limit + agent timeout + 5 s) so that this proves the agent did.
constexpr std::chrono::seconds kEndTimeout{7};
constexpr std::chrono::seconds kCleanupTimeout{5};
const std::string kTimeoutLine = "fmg: job timed out after 2 s (--job-timeout)\n";

// A job whose step prints a line and sleeps; first it records its shell's pid in
// `pid_file`, unless that is empty.
std::string sleeping_config(const std::string& image_lines, const std::string& pid_file) {
    std::string record_pid = pid_file.empty() ? "" : "            echo $$ > '" + pid_file + "'\n";
    return "version: 2.1\njobs:\n  build:\n" + image_lines +
           "    steps:\n"
           "      - run:\n"
           "          name: Sleep\n"
           "          command: |\n" +
           record_pid +
           "            echo started\n"
           "            sleep 600\n"
           "            echo woke up\n";
}

// True while `pid` runs (not gone, not a zombie).
bool process_running(int64_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string content;
    if (!std::getline(stat, content)) return false;
    size_t close = content.rfind(')');
    return close != std::string::npos && content.size() > close + 2 && content[close + 2] != 'Z';
}

// Pushes the config, waits for its step to run, then for the pipeline to end; checks what a
// user sees of a timed-out job. Returns the attempt's id.
int64_t check_job_times_out(Cluster& cluster, const std::string& config) {
    GitRepo repo = cluster.make_repo();
    repo.write_config(config);
    const std::string sha = repo.commit("A step that sleeps for ten minutes");
    const int64_t id = cluster.push(repo, sha);

    cluster.wait_until(
        deadline_after(kPipelineTimeout),
        [&] {
            const auto attempts = job_attempts(cluster.pipeline(id), "build");
            return !attempts.empty() &&
                   job_log(cluster, id, "build").find("started\n") != std::string::npos;
        },
        "the Sleep step to print its first line");
    const auto started_at = Clock::now();

    const auto pipeline = cluster.wait_for_final(id, kEndTimeout);
    print_measurement(
        "step started -> pipeline final (--job-timeout 2)",
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_at));
    INFO("pipeline: " << to_json(pipeline));
    CHECK(string_field(pipeline, "status") == "error");
    const auto job = find_named(pipeline, "jobs", "build");
    CHECK(string_field(job, "status") == "error");
    // A timeout is not a lost runner: one attempt, no retry.
    const auto attempts = job_attempts(pipeline, "build");
    REQUIRE(attempts.size() == 1);
    CHECK(string_field(attempts[0], "status") == "error");
    CHECK(optional_string(attempts[0], "error") == "job timed out after 2 s");
    const auto step = find_named(job, "steps", "Sleep");
    CHECK(string_field(step, "status") == "failed");

    // The agent stopped it (the coordinator's backstop would say so in the same line).
    const std::string log = job_log(cluster, id, "build");
    CHECK_THAT(log, Catch::EndsWith("started\n" + kTimeoutLine));
    CHECK_THAT(log, !Catch::Contains("woke up"));

    cluster.wait_for_github_status("fmg/build", sha, "error");
    std::vector<std::string> states;
    std::string description;
    for (const auto& posted : cluster.github().statuses_for("fmg/build")) {
        states.push_back(posted.state);
        description = posted.description;
    }
    CHECK(states == std::vector<std::string>{"pending", "error"});
    CHECK(description == "job timed out after 2 s");
    return int_field(attempts[0], "id");
}

}  // namespace

TEST_CASE(
    "timeouts: --job-timeout stops a Docker job, removes its container, and ends it in "
    "error") {
    require_docker();
    ClusterOptions options;
    options.coordinator_args = {"--job-timeout", std::to_string(kJobTimeout.count())};
    Cluster cluster(options);
    AgentOptions agent;
    agent.executor = "docker";
    cluster.start_runner("runner-1", agent);
    ContainerSweeper sweeper;  // only does something when the agent failed to remove them

    const int64_t attempt_id = check_job_times_out(
        cluster, sleeping_config("    docker:\n      - image: " + kTestImage + "\n", ""));
    sweeper.add(attempt_id);
    cluster.wait_until(
        deadline_after(kCleanupTimeout), [&] { return attempt_containers(attempt_id).empty(); },
        "the containers labelled fmg.attempt=" + std::to_string(attempt_id) + " to be removed");

    // The runner's slot is free again.
    cluster.wait_until(
        deadline_after(kCleanupTimeout),
        [&] { return array_field(cluster.find_runner("runner-1"), "running")->size() == 0; },
        "runner-1 to run nothing");
    cluster.stop_gracefully();
}

TEST_CASE("timeouts: --job-timeout stops a shell job and its process, and ends it in error") {
    ClusterOptions options;
    options.coordinator_args = {"--job-timeout", std::to_string(kJobTimeout.count())};
    Cluster cluster(options);
    AgentOptions agent = shell_agent_options();
    cluster.start_runner("runner-1", agent);

    const auto pid_file = cluster.dir() / "step.pid";
    // The image is what the config needs; the shell executor runs the step on the host.
    check_job_times_out(cluster, sleeping_config("    docker:\n      - image: " + kTestImage + "\n",
                                                 pid_file.string()));
    int64_t pid = 0;
    std::ifstream(pid_file) >> pid;
    REQUIRE(pid > 0);
    cluster.wait_until(
        deadline_after(kCleanupTimeout), [&] { return !process_running(pid); },
        "the step's shell (pid " + std::to_string(pid) + ") to end");
    cluster.stop_gracefully();
}

TEST_CASE(
    "timeouts: a restarted coordinator ends a job whose agent is gone at its job timeout, "
    "though the restart grace still waits for the agent") {
    constexpr int kLimitSeconds = 5;
    // What the coordinator allows past the limit before it acts
    // (coordinator/agent_loop/job_timeouts.h: the agent timeout plus 5 s), and some room for a
    // loaded machine.
    constexpr std::chrono::milliseconds kBackstop{kLimitSeconds * 1000 + kFastAgentTimeoutMs +
                                                  5000};
    Cluster cluster(fast_liveness_options(
        {"--job-timeout", std::to_string(kLimitSeconds), "--restart-grace", "120000"}));
    AgentOptions agent = shell_agent_options();
    Process& doomed = cluster.start_runner("runner-a", agent);

    const auto [sha, id] = push_held_job(cluster);
    wait_until_held(cluster, id, 1);
    const auto held_at = Clock::now();  // the attempt started a little before this

    // Both crash before the agent's own deadline; only the coordinator comes back. The
    // attempt's start is read back from the database, and nobody will report it.
    cluster.kill_coordinator();
    doomed.kill(SIGKILL);
    REQUIRE(doomed.wait_for(deadline_after(std::chrono::seconds(10))));
    REQUIRE(Clock::now() - held_at < std::chrono::seconds(kLimitSeconds));
    cluster.restart_coordinator();

    const auto pipeline = cluster.wait_for_final(id, kBackstop + std::chrono::seconds(10));
    const auto ended_after =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - held_at);
    print_measurement("step held -> pipeline final, agent gone (--job-timeout 5)", ended_after);
    INFO("pipeline: " << to_json(pipeline));
    CHECK(ended_after >= std::chrono::seconds(kLimitSeconds));
    CHECK(string_field(pipeline, "status") == "error");
    const auto attempts = job_attempts(pipeline, "build");
    REQUIRE(attempts.size() == 1);  // a timeout, not a lost runner: not retried
    CHECK(string_field(attempts[0], "status") == "error");
    CHECK(optional_string(attempts[0], "error") == "job timed out after 5 s");
    CHECK_THAT(job_log(cluster, id, "build"),
               Catch::EndsWith(
                   "fmg: job timed out after 5 s (--job-timeout); ended by the coordinator\n"));

    cluster.wait_for_github_status("fmg/build", sha, "error");
    std::vector<std::string> states;
    for (const auto& posted : cluster.github().statuses_for("fmg/build")) {
        states.push_back(posted.state);
    }
    CHECK(states == std::vector<std::string>{"pending", "error"});
    cluster.stop_gracefully();
}
