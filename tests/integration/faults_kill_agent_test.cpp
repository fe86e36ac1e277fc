// An agent killed with SIGKILL in the middle of a job (a crashed runner host): the
// coordinator notices at once, the attempt ends `lost`, and the job runs again from the start
// on the other runner. GitHub never hears of the lost attempt, and the job's log is the
// retry's, whole. Prints how long the retry took to appear in the API and to start its first
// step.

#include <catch2/catch.hpp>
#include <csignal>
#include <map>
#include <sstream>
#include <thread>

#include "tests/support/cluster.h"
#include "tests/support/docker.h"
#include "tests/support/held_job.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

constexpr std::chrono::milliseconds kRetryPollInterval{10};
constexpr std::chrono::seconds kRetryTimeout{30};

// What only the given attempt's held step prints: its workspace lies in its runner's work
// dir (shell executor); its step id starts with its attempt id (Docker).
std::string attempt_mark(const Cluster& cluster, const std::string& executor,
                         const std::string& runner, int64_t attempt_id) {
    if (executor == "shell") return (cluster.dir() / "agents" / runner).string() + "/";
    return "(step " + std::to_string(attempt_id) + "-";
}

// The lines of `log` that start with `prefix` and contain `mark`.
size_t count_lines(const std::string& log, const std::string& prefix, const std::string& mark) {
    size_t count = 0;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(prefix, 0) == 0 && line.find(mark) != std::string::npos) ++count;
    }
    return count;
}

// Polls the API every kRetryPollInterval (finer than wait_until) from the kill until the
// job has a second attempt; returns how long that took.
std::chrono::milliseconds time_until_retry(Cluster& cluster, int64_t id, Clock::time_point since) {
    const Deadline deadline = since + kRetryTimeout;
    Poco::JSON::Object::Ptr latest;
    while (Clock::now() < deadline) {
        latest = cluster.pipeline(id);
        if (job_attempts(latest, "build").size() >= 2) {
            return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since);
        }
        std::this_thread::sleep_for(kRetryPollInterval);
    }
    FAIL("no second attempt within " << kRetryTimeout.count()
                                     << " s of the kill; last seen: " << to_json(latest) << "\n"
                                     << tail_files(cluster.log_files()));
    return {};
}

void check_job_survives_a_killed_agent(const std::string& executor) {
    Cluster cluster;
    AgentOptions agent;
    agent.executor = executor;
    std::map<std::string, Process*> agents;
    for (const std::string runner : {"runner-a", "runner-b"}) {
        agents[runner] = &cluster.start_runner(runner, agent);
    }
    ContainerSweeper sweeper;  // the killed agent's job container outlives it

    const auto [sha, id] = push_held_job(cluster);

    const auto first = wait_until_held(cluster, id, 1);
    const int64_t first_id = int_field(first, "id");
    sweeper.add(first_id);
    const std::string doomed = string_field(first, "runner");
    REQUIRE(agents.count(doomed) == 1);
    const std::string survivor = doomed == "runner-a" ? "runner-b" : "runner-a";

    Process& victim = *agents.at(doomed);
    const auto killed_at = Clock::now();
    const auto killed_at_wall = std::chrono::system_clock::now();
    victim.kill(SIGKILL);
    const std::chrono::milliseconds retry_after = time_until_retry(cluster, id, killed_at);
    print_measurement("kill -9 -> retry assigned (" + executor + " executor)", retry_after);
    const auto ended = victim.wait_for(deadline_after(std::chrono::seconds(5)));
    REQUIRE(ended);
    CHECK(ended->signal == SIGKILL);

    const auto second = wait_until_held(cluster, id, 2);
    print_measurement("kill -9 -> retry's first step started (" + executor + " executor)",
                      first_step_started_after(cluster.pipeline(id), "build", killed_at_wall));
    const int64_t second_id = int_field(second, "id");
    sweeper.add(second_id);
    CHECK(string_field(second, "runner") == survivor);
    CHECK(second_id != first_id);
    REQUIRE(release_held_steps(cluster, survivor) == 1);

    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    REQUIRE(string_field(pipeline, "status") == "success");
    const auto job = find_named(pipeline, "jobs", "build");
    CHECK(string_field(job, "status") == "success");
    CHECK(optional_int(find_named(job, "steps", "Hold"), "exit_code") == 0);
    const auto attempts = job_attempts(pipeline, "build");
    REQUIRE(attempts.size() == 2);
    CHECK(int_field(attempts[0], "number") == 1);
    CHECK(string_field(attempts[0], "runner") == doomed);
    CHECK(string_field(attempts[0], "status") == "lost");
    CHECK_THAT(optional_string(attempts[0], "error").value_or(""), Catch::Contains(doomed));
    CHECK(int_field(attempts[1], "number") == 2);
    CHECK(string_field(attempts[1], "runner") == survivor);
    CHECK(string_field(attempts[1], "status") == "success");

    // The job's log is the current attempt's: the retry's output, whole, and nothing else.
    const std::vector<std::string> args{"logs", std::to_string(id), "build"};
    const CommandResult log = cluster.fmg(args);
    INFO(log.describe({"fmg", "logs", std::to_string(id), "build"}));
    CHECK(log.ok());
    const std::string retry_mark = attempt_mark(cluster, executor, survivor, second_id);
    const std::string lost_mark = attempt_mark(cluster, executor, doomed, first_id);
    CHECK(count_lines(log.out, kHeldFirstLine, retry_mark) == 1);
    CHECK(count_lines(log.out, kHeldLastLine, retry_mark) == 1);
    CHECK(count_lines(log.out, kHeldFirstLine, lost_mark) == 0);
    // The lost attempt's log is still there to read.
    const std::string lost_log = job_log(cluster, id, "build", 1);
    CHECK(count_lines(lost_log, kHeldFirstLine, lost_mark) == 1);

    // GitHub saw one pending and then success: the lost attempt is no one's business there.
    cluster.wait_for_github_status("fmg/build", sha, "success");
    std::vector<std::string> states;
    for (const auto& posted : cluster.github().statuses_for("fmg/build")) {
        CHECK(posted.sha() == sha);
        states.push_back(posted.state);
    }
    CHECK(states == std::vector<std::string>{"pending", "success"});

    cluster.stop_gracefully();
}

}  // namespace

TEST_CASE(
    "faults: kill -9 of the agent running a job moves the job to the other runner with the shell "
    "executor") {
    check_job_survives_a_killed_agent("shell");
}

TEST_CASE(
    "faults: kill -9 of the agent running a job moves the job to the other runner in Docker") {
    require_docker();
    check_job_survives_a_killed_agent("docker");
}
