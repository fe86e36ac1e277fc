// The checkout step runs in fmg-checkout, a helper process fmg-agent starts for each checkout
// (agent/job/checkout.h): a checkout that cannot be made fails its job with the reason; the
// checkout of a cancelled job, or of one past its --job-timeout, is stopped at once, even
// while it waits for another fetch of the same mirror; the repository URL never shows in a command
// line; and an agent installed without its helper refuses to start instead of failing every job.

#include <catch2/catch.hpp>
#include <fstream>

#include "shared/git/file_lock.h"
#include "shared/git/mirror.h"
#include "tests/support/binaries.h"
#include "tests/support/cluster.h"
#include "tests/support/held_job.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

const std::string kCheckoutConfig = R"(version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    steps:
      - checkout
      - run: cat README.md
)";

std::string proc_file(pid_t pid, const std::string& name) {
    std::ifstream file("/proc/" + std::to_string(pid) + "/" + name);
    return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

// The agent's fmg-checkout helpers that are running.
std::vector<pid_t> checkout_helpers(pid_t agent) {
    std::vector<pid_t> helpers;
    for (pid_t child : child_pids(agent)) {
        if (proc_file(child, "comm") == "fmg-checkout\n") helpers.push_back(child);
    }
    return helpers;
}

// Takes the lock of runner `runner`'s mirror of `repo`, as another fetch of it would hold it:
// a checkout then waits, as it would behind a slow fetch of a large repository.
std::optional<fmg::git::FileLock> hold_mirror_lock(const Cluster& cluster,
                                                   const std::string& runner, const GitRepo& repo) {
    auto mirror = fmg::git::Mirror::open(cluster.dir() / "agents" / runner / "mirrors", repo.url());
    REQUIRE(mirror);
    auto acquired = fmg::git::FileLock::acquire(mirror->path().string() + ".lock",
                                                fmg::git::FileLock::Mode::exclusive);
    REQUIRE(acquired);
    return std::optional<fmg::git::FileLock>(std::move(*acquired));
}

// The agent's first fmg-checkout once it runs.
pid_t wait_for_helper(Process& agent) {
    pid_t helper = -1;
    wait_until(
        deadline_after(kPipelineTimeout),
        [&] {
            const auto helpers = checkout_helpers(agent.pid());
            if (helpers.empty()) return false;
            helper = helpers.front();
            return true;
        },
        "the agent to start fmg-checkout");
    return helper;
}

}  // namespace

TEST_CASE("checkout: a checkout that cannot be made fails the job with the reason") {
    Cluster cluster;
    // Where the agent keeps its mirrors is a file: no mirror can be created there.
    const std::filesystem::path work_dir = cluster.dir() / "agents" / "runner-1";
    std::filesystem::create_directories(work_dir);
    std::ofstream(work_dir / "mirrors") << "not a directory\n";
    const AgentOptions agent = shell_agent_options();
    cluster.start_runner("runner-1", agent);

    GitRepo repo = cluster.make_repo();
    repo.write_file("README.md", "hello\n");
    repo.write_config(kCheckoutConfig);
    const int64_t id = cluster.push(repo, repo.commit("A job that checks out"));

    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    const auto job = find_named(pipeline, "jobs", "build");
    CHECK(string_field(job, "status") == "error");
    const auto attempts = job_attempts(pipeline, "build");
    REQUIRE(attempts.size() == 1);  // a job that failed on its own is not retried
    const std::string error = optional_string(attempts[0], "error").value_or("");
    CHECK_THAT(error, Catch::StartsWith("checkout failed: "));
    CHECK_THAT(error, Catch::Contains((work_dir / "mirrors").string()));
    const std::string log = job_log(cluster, id, "build");
    CHECK_THAT(log, Catch::Contains("fmg: checkout failed: "));
    CHECK_THAT(log, !Catch::Contains("hello"));  // the run step after it did not run
}

TEST_CASE("checkout: fmg cancel stops a checkout waiting for the mirror, which stays usable") {
    Cluster cluster;
    const AgentOptions agent = shell_agent_options();
    Process& agent_process = cluster.start_runner("runner-1", agent);

    GitRepo repo = cluster.make_repo();
    repo.write_file("README.md", "first commit\n");
    repo.write_config(kCheckoutConfig);
    const std::string first = repo.commit("A job that checks out");

    std::optional<fmg::git::FileLock> lock = hold_mirror_lock(cluster, "runner-1", repo);

    const int64_t id = cluster.push(repo, first);
    const pid_t helper = wait_for_helper(agent_process);
    // The URL goes to the helper on its stdin: a command line is readable by every user.
    const std::string command_line = proc_file(helper, "cmdline");
    CHECK_THAT(command_line, Catch::Contains(first));
    CHECK_THAT(command_line, !Catch::Contains(repo.url()));
    CHECK_THAT(command_line, !Catch::Contains(repo.path().string()));

    const std::vector<std::string> args{"cancel", std::to_string(id)};
    const CommandResult cancel = cluster.fmg(args);
    INFO(cancel.describe({"fmg", "cancel", std::to_string(id)}));
    CHECK(cancel.ok());
    const auto pipeline = cluster.wait_for_final(id, std::chrono::seconds(10));
    INFO("pipeline: " << to_json(pipeline));
    CHECK(string_field(pipeline, "status") == "cancelled");
    const auto job = find_named(pipeline, "jobs", "build");
    CHECK(string_field(job, "status") == "cancelled");
    const auto attempts = job_attempts(pipeline, "build");
    REQUIRE(attempts.size() == 1);
    CHECK(string_field(attempts[0], "status") == "cancelled");
    // The attempt ends once its helper is gone, not when the lock is let go.
    wait_until(
        deadline_after(std::chrono::seconds(5)),
        [&] { return checkout_helpers(agent_process.pid()).empty(); },
        "the cancelled checkout's fmg-checkout to be gone");

    // With the lock released, the next push checks out from the same mirror.
    lock.reset();
    repo.write_file("README.md", "second commit\n");
    const int64_t next = cluster.push(repo, repo.commit("Another push"));
    const auto done = cluster.wait_for_final(next);
    INFO("pipeline: " << to_json(done));
    CHECK(string_field(done, "status") == "success");
    CHECK_THAT(job_log(cluster, next, "build"), Catch::Contains("second commit"));
}

TEST_CASE("checkout: --job-timeout ends a job whose checkout hangs, in error") {
    ClusterOptions options;
    options.coordinator_args = {"--job-timeout", "2"};
    Cluster cluster(options);
    const AgentOptions agent = shell_agent_options();
    Process& agent_process = cluster.start_runner("runner-1", agent);
    GitRepo repo = cluster.make_repo();
    repo.write_config(kCheckoutConfig);
    const std::string sha = repo.commit("A job whose checkout never gets the mirror");
    std::optional<fmg::git::FileLock> lock = hold_mirror_lock(cluster, "runner-1", repo);

    const int64_t id = cluster.push(repo, sha);
    wait_for_helper(agent_process);
    const auto pipeline = cluster.wait_for_final(id, std::chrono::seconds(30));
    INFO("pipeline: " << to_json(pipeline));
    const auto attempts = job_attempts(pipeline, "build");
    REQUIRE(attempts.size() == 1);
    CHECK(string_field(attempts[0], "status") == "error");
    CHECK(optional_string(attempts[0], "error") == "job timed out after 2 s");
    CHECK_THAT(job_log(cluster, id, "build"),
               Catch::Contains("fmg: job timed out after 2 s (--job-timeout)"));
    wait_until(
        deadline_after(std::chrono::seconds(5)),
        [&] { return checkout_helpers(agent_process.pid()).empty(); },
        "the timed-out checkout's fmg-checkout to be gone");
}

TEST_CASE("checkout: fmg-agent without its fmg-checkout helper refuses to start") {
    TempDir dir;
    const std::filesystem::path lonely_agent = dir / "fmg-agent";
    std::filesystem::copy_file(agent_binary(), lonely_agent);
    ProcessOptions options;
    options.argv = {lonely_agent.string(), "--insecure", "--coordinator",
                    "tcp://127.0.0.1:9",   "--work-dir", (dir / "work").string(),
                    "--executor",          "shell"};
    const CommandResult result = run_command(options, std::chrono::seconds(30));
    INFO(result.describe(options.argv));
    CHECK(result.status.exited_with(1));
    CHECK_THAT(result.err, Catch::Contains("cannot find the helper fmg-checkout"));
    CHECK_THAT(result.err, Catch::Contains((dir / "fmg-checkout").string()));
}
