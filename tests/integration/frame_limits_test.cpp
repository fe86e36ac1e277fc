// The agent protocol's limits, tried as an attacker would (issue 10, items 4 and 5): a config
// whose step is too large for an `assign` frame, an agent that never answers its assign, and
// frames of 100 MiB sent to the coordinator and to an agent by peers holding real keys.

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <string>

#include "tests/support/cluster.h"
#include "tests/support/json.h"
#include "tests/support/protocol_peers.h"

using namespace fmg::testing;

namespace {

constexpr size_t kHugeFrameBytes = 100 * 1024 * 1024;
// What a dropped 100 MiB frame may still add to a peak RSS (ZeroMQ's read buffers, the
// SQLite page cache, a pipeline's worth of work): far below the frame itself.
constexpr int64_t kPeakGrowthBound = 32 * 1024 * 1024;

AgentOptions shell_agent() {
    const AgentOptions options = shell_agent_options();
    return options;
}

// Replaces the stored spec of every job of the coordinator's database (stopped) with `spec`.
void overwrite_job_specs(const std::filesystem::path& database, const std::string& spec) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(database.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "UPDATE jobs SET spec = ?", -1, &statement, nullptr) ==
            SQLITE_OK);
    sqlite3_bind_text(statement, 1, spec.data(), static_cast<int>(spec.size()), SQLITE_STATIC);
    const int stepped = sqlite3_step(statement);
    sqlite3_finalize(statement);
    INFO(sqlite3_errmsg(db));
    CHECK(stepped == SQLITE_DONE);
    CHECK(sqlite3_changes(db) == 1);
    sqlite3_close(db);
}

std::string one_job_config(const std::string& command) {
    return "version: 2.1\njobs:\n  build:\n    docker:\n      - image: fmg/busybox:latest\n"
           "    steps:\n      - run: echo hi\n      - run: " +
           command + "\n";
}

}  // namespace

TEST_CASE("e2e: a 300 KB step command is a config error with its position and the limit") {
    Cluster cluster;
    GitRepo repo = cluster.make_repo();
    repo.write_config(one_job_config(std::string(300 * 1024, 'x')));
    const std::string sha = repo.commit("A step too large for an assign frame");

    // Line 8, column 14: the command after `      - run: `.
    const std::string expected =
        "config.yml:8:14: `run` is 307200 bytes; the agent protocol allows at most 262144 "
        "(256 KiB, kMaxTextBytes)";
    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id, std::chrono::seconds(60));
    INFO("pipeline: " << to_json(pipeline).substr(0, 2000));
    CHECK(string_field(pipeline, "status") == "error");
    const auto error = optional_string(pipeline, "error");
    REQUIRE(error);
    CHECK(*error == ".circleci/" + expected);

    cluster.wait_for_github_status("fmg/config", sha, "error");
    for (const auto& posted : cluster.github().statuses()) {
        if (posted.context != "fmg/config") continue;
        CHECK_THAT(posted.description, Catch::Contains("config.yml:8:14: `run` is 307200 bytes"));
    }

    const std::string file = (repo.path() / ".circleci" / "config.yml").string();
    const CommandResult validated = cluster.fmg({"validate", file});
    INFO(validated.describe({"fmg", "validate", file}).substr(0, 2000));
    CHECK(validated.status.exited_with(1));
    CHECK_THAT(validated.out + validated.err, Catch::Contains(expected));
}

TEST_CASE("e2e: an assign its agent never answers frees the slot, and the job runs elsewhere") {
    Cluster cluster;
    // A peer with real credentials that says hello and heartbeats, but answers no assign.
    const auto credentials = cluster.add_runner("silent");
    SilentAgent silent(credentials, "silent", 1);
    cluster.wait_for_runner_state("silent", "online");

    GitRepo repo = cluster.make_repo();
    repo.write_config(one_job_config("echo ran on a real agent"));
    const int64_t first = cluster.push(repo, repo.commit("one job"));
    cluster.wait_until(
        deadline_after(std::chrono::seconds(30)), [&] { return silent.assigns().size() == 1; },
        "the silent agent's first assign");
    const int64_t unanswered = silent.assigns().front().attempt_id;
    cluster.start_runner("real", shell_agent());

    // The assign timeout (the 3 s agent timeout, at least 10 s) ends the attempt `lost`;
    // the job is requeued and goes to the runner that answers.
    const auto pipeline = cluster.wait_for_final(first, std::chrono::seconds(90));
    INFO("pipeline: " << to_json(pipeline));
    CHECK(string_field(pipeline, "status") == "success");
    const auto job = find_named(pipeline, "jobs", "build");
    REQUIRE(job);
    const auto attempts = object_array(job, "attempts");
    REQUIRE(attempts.size() == 2);
    CHECK(int_field(attempts[0], "id") == unanswered);
    CHECK(string_field(attempts[0], "status") == "lost");
    CHECK(string_field(attempts[0], "runner") == "silent");
    CHECK(optional_string(attempts[0], "error") ==
          "runner silent did not accept the job within 10 s");
    CHECK(string_field(attempts[1], "status") == "success");
    CHECK(string_field(attempts[1], "runner") == "real");
    // The silent agent is told to drop the attempt, should it ever hold it.
    cluster.wait_until(
        deadline_after(std::chrono::seconds(10)),
        [&] {
            for (const auto& cancel : silent.cancels()) {
                if (cancel.attempt_id == unanswered) return true;
            }
            return false;
        },
        "a cancel of the unanswered attempt");

    // Its slot is free again: with the real runner busy, the next job goes to it (before
    // the fix it stayed taken until --job-timeout, an hour).
    repo.write_config(
        "version: 2.1\njobs:\n  a:\n    docker: [{image: fmg/busybox:latest}]\n"
        "    steps: [{run: sleep 5}]\n  b:\n    docker: [{image: fmg/busybox:latest}]\n"
        "    steps: [{run: sleep 5}]\nworkflows:\n  w:\n    jobs: [a, b]\n");
    cluster.push(repo, repo.commit("two jobs"));
    cluster.wait_until(
        deadline_after(std::chrono::seconds(30)), [&] { return silent.assigns().size() == 2; },
        "a second assign to the silent agent");
}

TEST_CASE("e2e: a 100 MiB frame from an authenticated agent is dropped before it is buffered") {
    Cluster cluster;
    cluster.start_runner("real", shell_agent());
    const auto credentials = cluster.add_runner("big-sender");
    SilentAgent sender(credentials, "big-sender", 1);
    cluster.wait_for_runner_state("big-sender", "online");

    const pid_t coordinator = cluster.coordinator().pid();
    const int64_t peak_before = peak_rss_bytes(coordinator);
    sender.send_raw(std::string(kHugeFrameBytes, 'x'));
    // ZeroMQ reads the size, closes the connection, and the coordinator loses the session.
    cluster.wait_for_runner_state("big-sender", "lost");

    // The coordinator still serves the other agent.
    GitRepo repo = cluster.make_repo();
    repo.write_config(one_job_config("echo still serving"));
    const int64_t id = cluster.push(repo, repo.commit("after the big frame"));
    const auto pipeline = cluster.wait_for_final(id);
    INFO("pipeline: " << to_json(pipeline));
    CHECK(string_field(pipeline, "status") == "success");

    const int64_t growth = peak_rss_bytes(coordinator) - peak_before;
    INFO("coordinator peak RSS grew by " << growth / 1024 << " KiB");
    CHECK(growth < kPeakGrowthBound);
}

TEST_CASE("e2e: a 100 MiB frame sent to an agent is dropped before it is buffered") {
    Cluster cluster;
    FakeCoordinator fake;
    const auto credentials = cluster.dir() / "victim.cred";
    fake.write_credentials(credentials, "victim");
    Process& agent = cluster.start_agent("victim", credentials, shell_agent());
    cluster.wait_until(
        deadline_after(std::chrono::seconds(30)), [&] { return fake.hellos() >= 1; },
        "the agent's hello at the fake coordinator");

    const int64_t peak_before = peak_rss_bytes(agent.pid());
    fake.send_raw(std::string(kHugeFrameBytes, 'x'));
    // The agent's connection is dropped; it gives the silent session up and says hello again.
    cluster.wait_until(
        deadline_after(std::chrono::seconds(30)), [&] { return fake.hellos() >= 2; },
        "the agent's hello on a new connection");
    REQUIRE(agent.running());

    const int64_t growth = peak_rss_bytes(agent.pid()) - peak_before;
    INFO("agent peak RSS grew by " << growth / 1024 << " KiB");
    CHECK(growth < kPeakGrowthBound);
}

TEST_CASE("e2e: a stored job whose assign the agent would refuse ends in error, never sent") {
    Cluster cluster;
    GitRepo repo = cluster.make_repo();
    repo.write_config(one_job_config("echo small"));
    const int64_t id = cluster.push(repo, repo.commit("queued while no runner is online"));
    cluster.wait_for_job_status(id, "build", "queued");

    // A job as a coordinator without the parse-time limits stored it (an upgrade): its
    // 300 KB command makes an assign frame the agent's decoder refuses.
    cluster.kill_coordinator();
    overwrite_job_specs(cluster.data_dir() / "fmg.db",
                        R"({"image":"fmg/busybox:latest","services":[],"environment":{},)"
                        R"("working_directory":"~/project","steps":[{"kind":"run","name":"big",)"
                        R"("command":")" +
                            std::string(300 * 1024, 'x') +
                            R"(","environment":{},"working_directory":"",)"
                            R"("no_output_timeout_ms":0,"when":"on_success"}]})");
    cluster.restart_coordinator();
    Process& agent = cluster.start_runner("real", shell_agent());

    // The coordinator checks the frame first: the attempt and job end in error with the
    // decoder's reason, at once, instead of waiting for --job-timeout.
    const auto pipeline = cluster.wait_for_final(id, std::chrono::seconds(30));
    INFO("pipeline: " << to_json(pipeline));
    CHECK(string_field(pipeline, "status") == "error");
    const auto job = find_named(pipeline, "jobs", "build");
    REQUIRE(job);
    CHECK(string_field(job, "status") == "error");
    const auto attempts = object_array(job, "attempts");
    REQUIRE(attempts.size() == 1);
    CHECK(string_field(attempts[0], "status") == "error");
    const auto error = optional_string(attempts[0], "error");
    REQUIRE(error);
    CHECK_THAT(*error, Catch::StartsWith("the job cannot be sent to a runner: "));
    CHECK_THAT(*error, Catch::Contains("262144-byte limit"));
    // The agent never received it, and its slot is free: the next pipeline runs there.
    CHECK_THAT(agent.stderr_text(), !Catch::Contains("job=build starting"));
    const int64_t next = cluster.push(repo, repo.commit("after the refused assign"));
    const auto after = cluster.wait_for_final(next);
    INFO("next pipeline: " << to_json(after));
    CHECK(string_field(after, "status") == "success");
}
