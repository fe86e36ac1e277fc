// Pull requests from forks wait for approval (docs/security.md "Code from pull requests:
// forks and approval"), tried as a stranger and as a maintainer would: a fork's pull request
// is read but runs nothing while the runner serves others; GitHub is told why and what to
// run; `fmg approve` (the real CLI) releases it; --trust-forks runs it at once; approving is
// refused without the token, twice, or for nothing; a cancel ends held jobs unrun.

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/json.h"
#include "tests/support/webhook.h"

using namespace fmg::testing;

namespace {

const std::string kConfig = R"(version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run: echo "ran the code of @WHO@"
)";

const std::string kTwoJobs = R"(version: 2.1
jobs:
  first:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run: echo first
  second:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run: echo second
workflows:
  main:
    jobs:
      - first
      - second
)";

std::string config_for(const std::string& who) {
    std::string text = kConfig;
    return text.replace(text.find("@WHO@"), 5, who);
}

/// The base repository (octo/demo) and a fork of it (forker/demo) with one commit each; the
/// fork's commit is a stranger's change.
struct Repos {
    GitRepo base;
    GitRepo fork;
    std::string base_sha;
    std::string fork_sha;

    Repos(Cluster& cluster, const std::string& fork_config)
        : base(cluster.make_repo("octo/demo")), fork(cluster.make_repo("forker/demo")) {
        base.write_config(config_for("octo"));
        base.write_file("README.md", "base\n");
        base.commit("Add CI");
        base.create_branch("feature");
        base.write_file("README.md", "a maintainer's change\n");
        base_sha = base.commit("A maintainer's branch");
        fork.write_config(fork_config);
        fork.write_file("README.md", "a stranger's change\n");
        fork_sha = fork.commit("A stranger's change");
    }
};

/// A signed pull_request delivery; returns the pipeline id from the 202 answer.
int64_t deliver_pull_request(Cluster& cluster, const PullRequestEvent& event) {
    const HttpResponse response =
        cluster.deliver("pull_request", pull_request_payload(event), new_delivery_id());
    INFO(response.describe());
    REQUIRE(response.status == 202);
    return int_field(response.json(), "pipeline_id");
}

PullRequestEvent fork_pull_request(const Repos& repos) {
    PullRequestEvent event;
    event.number = 12;
    event.base_clone_url = repos.base.url();
    event.head_owner = "forker";
    event.head_clone_url = repos.fork.url();
    event.head_ref = "patch-1";
    event.head_sha = repos.fork_sha;
    event.user = "forker";
    return event;
}

PullRequestEvent own_pull_request(const Repos& repos) {
    PullRequestEvent event;
    event.number = 13;
    event.base_clone_url = repos.base.url();
    event.head_ref = "feature";
    event.head_sha = repos.base_sha;
    return event;
}

/// The fake GitHub's accepted statuses of `context` for `sha`, as "state: description".
std::vector<std::string> statuses_of(Cluster& cluster, const std::string& context,
                                     const std::string& sha) {
    std::vector<std::string> out;
    for (const auto& posted : cluster.github().statuses_for(context)) {
        if (posted.sha() == sha) out.push_back(posted.state + ": " + posted.description);
    }
    return out;
}

std::string held_description(int64_t id) {
    return "waiting for approval: pull request from fork forker/demo (fmg approve " +
           std::to_string(id) + ")";
}

void wait_for_held_status(Cluster& cluster, const std::string& context, const std::string& sha,
                          int64_t id) {
    cluster.wait_until(
        deadline_after(30s),
        [&] {
            auto seen = statuses_of(cluster, context, sha);
            return !seen.empty() && seen.front() == "pending: " + held_description(id);
        },
        "GitHub gets 'pending: " + held_description(id) + "' for " + context);
}

HttpResponse post_approve(const HttpClient& client, const std::string& path) {
    return client.post_json(path, "");
}

}  // namespace

TEST_CASE("e2e: a fork's pull request waits for `fmg approve` while the runner serves others",
          "[fork]") {
    Cluster cluster;
    const AgentOptions agent = shell_agent_options();
    cluster.start_runner("runner-1", agent);
    Repos repos(cluster, config_for("a stranger"));

    const int64_t fork_id = deliver_pull_request(cluster, fork_pull_request(repos));
    // Its config is read (the job exists) but the job is held, and GitHub is told why.
    auto held = cluster.wait_for_job_status(fork_id, "build", "on_hold");
    CHECK(string_field(held, "status") == "queued");
    CHECK(string_field(held, "fork") == "forker/demo");
    CHECK(string_array(held, "held_jobs") == std::vector<std::string>{"build"});
    wait_for_held_status(cluster, "fmg/build", repos.fork_sha, fork_id);

    // The runner is free all the while: a maintainer's pull request, delivered after the
    // fork's, runs to completion, and the fork's job is still held and never attempted.
    const int64_t own_id = deliver_pull_request(cluster, own_pull_request(repos));
    auto own = cluster.wait_for_final(own_id);
    INFO("own: " << to_json(own));
    REQUIRE(string_field(own, "status") == "success");
    CHECK_FALSE(optional_string(own, "fork"));
    CHECK(statuses_of(cluster, "fmg/build", repos.base_sha).front() ==
          "pending: Job build is queued");
    auto still = cluster.pipeline(fork_id);
    INFO("fork: " << to_json(still));
    auto job = find_named(still, "jobs", "build");
    CHECK(string_field(job, "status") == "on_hold");
    CHECK(object_array(job, "attempts").empty());
    CHECK(string_field(still, "status") == "queued");

    // People see it too.
    const CommandResult show = cluster.fmg({"show", std::to_string(fork_id)});
    INFO(show.describe({"fmg", "show"}));
    CHECK(show.ok());
    CHECK_THAT(show.out, Catch::Contains("job build: ON_HOLD: waiting for approval (fmg approve " +
                                         std::to_string(fork_id) + " build)"));
    CHECK_THAT(show.out, Catch::Contains("pull request from forker/demo"));
    const CommandResult list = cluster.fmg({"list"});
    CHECK_THAT(list.out, Catch::Contains("on_hold: waiting for approval (fmg approve " +
                                         std::to_string(fork_id) + ")"));

    // Without the token, approving is refused and changes nothing.
    const std::string path = "/api/v1/pipelines/" + std::to_string(fork_id) + "/approve";
    CHECK(post_approve(HttpClient(cluster.server_url()), path).status == 401);
    CHECK(post_approve(HttpClient(cluster.server_url(), "not-the-token"), path).status == 401);
    CHECK(string_field(find_named(cluster.pipeline(fork_id), "jobs", "build"), "status") ==
          "on_hold");

    // A maintainer approves with the real CLI: the job runs and succeeds.
    const CommandResult approve = cluster.fmg({"approve", std::to_string(fork_id)});
    INFO(approve.describe({"fmg", "approve"}));
    REQUIRE(approve.ok());
    CHECK_THAT(approve.out, Catch::Contains("build queued"));
    auto done = cluster.wait_for_final(fork_id);
    INFO("fork done: " << to_json(done));
    REQUIRE(string_field(done, "status") == "success");
    CHECK(string_field(done, "approved_by") == "admin");
    auto approved_job = find_named(done, "jobs", "build");
    CHECK(string_field(approved_job, "approved_by") == "admin");
    CHECK(optional_string(approved_job, "approved_at").has_value());
    const CommandResult log = cluster.fmg({"logs", std::to_string(fork_id), "build"});
    CHECK_THAT(log.out, Catch::Contains("ran the code of a stranger"));

    // GitHub: held, queued once approved, then the result.
    cluster.wait_for_github_status("fmg/build", repos.fork_sha, "success");
    auto seen = statuses_of(cluster, "fmg/build", repos.fork_sha);
    REQUIRE(seen.size() == 3);
    CHECK(seen[0] == "pending: " + held_description(fork_id));
    CHECK(seen[1] == "pending: Job build is queued (approved by admin)");
    CHECK(seen[2] == "success: Job build passed");
    CHECK(cluster.github().rejected().empty());

    // Approving twice is a conflict, through the API and the CLI.
    auto twice = post_approve(cluster.api(), path);
    CHECK(twice.status == 409);
    CHECK_THAT(twice.body, Catch::Contains("approved already"));
    const CommandResult again = cluster.fmg({"approve", std::to_string(fork_id)});
    CHECK_FALSE(again.ok());
    CHECK_THAT(again.err, Catch::Contains("approved already"));

    // A pipeline that needs no approval, or none at all, holds nothing to approve.
    CHECK(post_approve(cluster.api(), "/api/v1/pipelines/" + std::to_string(own_id) + "/approve")
              .status == 409);
    CHECK(post_approve(cluster.api(), "/api/v1/pipelines/99999/approve").status == 404);
    cluster.stop_gracefully();
}

TEST_CASE("e2e: --trust-forks runs a trusted repository's fork pull requests at once", "[fork]") {
    ClusterOptions options;
    options.coordinator_args = {"--trust-forks", "other/repo", "--trust-forks", "octo/demo"};
    Cluster cluster(options);
    const AgentOptions agent = shell_agent_options();
    cluster.start_runner("runner-1", agent);
    Repos repos(cluster, config_for("a trusted fork"));

    const int64_t id = deliver_pull_request(cluster, fork_pull_request(repos));
    auto done = cluster.wait_for_final(id);
    INFO(to_json(done));
    REQUIRE(string_field(done, "status") == "success");
    CHECK_FALSE(optional_string(done, "fork"));
    CHECK_FALSE(optional_string(find_named(done, "jobs", "build"), "approved_by"));
    cluster.wait_for_github_status("fmg/build", repos.fork_sha, "success");
    CHECK(statuses_of(cluster, "fmg/build", repos.fork_sha).front() ==
          "pending: Job build is queued");
    cluster.stop_gracefully();
}

TEST_CASE("e2e: approving one held job runs it alone, and a cancel ends the rest unrun", "[fork]") {
    Cluster cluster;
    const AgentOptions agent = shell_agent_options();
    cluster.start_runner("runner-1", agent);
    Repos repos(cluster, kTwoJobs);

    const int64_t id = deliver_pull_request(cluster, fork_pull_request(repos));
    cluster.wait_for_job_status(id, "second", "on_hold");
    wait_for_held_status(cluster, "fmg/first", repos.fork_sha, id);
    wait_for_held_status(cluster, "fmg/second", repos.fork_sha, id);

    const std::string base = "/api/v1/pipelines/" + std::to_string(id);
    CHECK(post_approve(cluster.api(), base + "/jobs/nope/approve").status == 404);
    const CommandResult approve = cluster.fmg({"approve", std::to_string(id), "first"});
    INFO(approve.describe({"fmg", "approve", "first"}));
    REQUIRE(approve.ok());
    cluster.wait_for_job_status(id, "first", "success");
    auto pipeline = cluster.pipeline(id);
    INFO(to_json(pipeline));
    CHECK(string_field(find_named(pipeline, "jobs", "second"), "status") == "on_hold");
    CHECK(string_array(pipeline, "held_jobs") == std::vector<std::string>{"second"});
    CHECK(post_approve(cluster.api(), base + "/jobs/first/approve").status == 409);

    const CommandResult cancel = cluster.fmg({"cancel", std::to_string(id)});
    INFO(cancel.describe({"fmg", "cancel"}));
    REQUIRE(cancel.ok());
    auto ended = cluster.wait_for_final(id);
    INFO(to_json(ended));
    CHECK(string_field(ended, "status") == "cancelled");
    auto second = find_named(ended, "jobs", "second");
    CHECK(string_field(second, "status") == "cancelled");
    CHECK(object_array(second, "attempts").empty());
    CHECK(post_approve(cluster.api(), base + "/approve").status == 409);
    cluster.wait_for_github_status("fmg/second", repos.fork_sha, "error");
    cluster.stop_gracefully();
}

TEST_CASE("e2e: a fork's payload cannot point the coordinator at another server", "[fork]") {
    Cluster cluster;
    Repos repos(cluster, config_for("a stranger"));
    PullRequestEvent event = fork_pull_request(repos);
    event.head_clone_url = "https://evil.example/forker/demo.git";
    const HttpResponse response =
        cluster.deliver("pull_request", pull_request_payload(event), new_delivery_id());
    INFO(response.describe());
    CHECK(response.status == 400);
    CHECK_THAT(response.body, Catch::Contains("host"));
    CHECK(cluster.pipeline_total() == 0);
}

TEST_CASE("e2e: a deleted fork's pull request (head.repo null) waits for approval too", "[fork]") {
    Cluster cluster;
    const AgentOptions agent = shell_agent_options();
    cluster.start_runner("runner-1", agent);
    Repos repos(cluster, config_for("a stranger"));

    // Its commit is looked for in the base repository (here on the branch `feature`).
    PullRequestEvent event = fork_pull_request(repos);
    event.head_deleted = true;
    event.head_sha = repos.base_sha;
    const int64_t id = deliver_pull_request(cluster, event);
    auto held = cluster.wait_for_job_status(id, "build", "on_hold");
    INFO(to_json(held));
    CHECK(string_field(held, "fork").empty());
    cluster.wait_until(
        deadline_after(30s),
        [&] {
            auto seen = statuses_of(cluster, "fmg/build", repos.base_sha);
            return !seen.empty() &&
                   seen.front() ==
                       "pending: waiting for approval: pull request from a deleted "
                       "fork (fmg approve " +
                           std::to_string(id) + ")";
        },
        "GitHub is told a deleted fork's pull request waits for approval");

    REQUIRE(cluster.fmg({"approve", std::to_string(id)}).ok());
    auto done = cluster.wait_for_final(id);
    INFO(to_json(done));
    CHECK(string_field(done, "status") == "success");
    cluster.stop_gracefully();
}

TEST_CASE("e2e: an approved fork's pull request neither reads nor poisons the repository's caches",
          "[fork]") {
    Cluster cluster;
    cluster.start_runner("runner-1", machine_agent_options());
    const std::string base_config = R"yaml(version: 2.1
jobs:
  build:
    machine: true
    steps:
      - restore_cache: {keys: [deps]}
      - run: 'if [ -e deps/who ]; then echo "restored: $(cat deps/who)"; fi'
      - run: mkdir -p deps && echo base > deps/who
      - save_cache: {key: deps, paths: [deps]}
)yaml";
    std::string fork_config = base_config;
    fork_config.replace(fork_config.find("echo base"), 9, "echo poison");
    Repos repos(cluster, fork_config);
    repos.base.write_config(base_config);
    const std::string base_sha = repos.base.commit("Cache deps");

    // The repository's own build stores the cache.
    const int64_t first = cluster.push(repos.base, base_sha, "refs/heads/feature");
    REQUIRE(string_field(cluster.wait_for_final(first), "status") == "success");

    // The fork's pull request, approved: it finds no cache and stores its own, apart.
    const int64_t fork_id = deliver_pull_request(cluster, fork_pull_request(repos));
    cluster.wait_for_job_status(fork_id, "build", "on_hold");
    REQUIRE(cluster.fmg({"approve", std::to_string(fork_id)}).ok());
    const auto fork_done = cluster.wait_for_final(fork_id);
    INFO("fork: " << to_json(fork_done));
    REQUIRE(string_field(fork_done, "status") == "success");
    const std::string fork_log = cluster.job_log(fork_id, "build");
    CHECK_THAT(fork_log, Catch::Contains("No cache is found for keys: deps"));
    CHECK_THAT(fork_log, Catch::Contains("Stored cache deps"));

    // The repository's next build restores its own cache, not the fork's.
    const int64_t second = cluster.push(repos.base, base_sha, "refs/heads/feature");
    REQUIRE(string_field(cluster.wait_for_final(second), "status") == "success");
    CHECK_THAT(cluster.job_log(second, "build"), Catch::Contains("restored: base"));
    const auto listed = object_array(cluster.api().get("/api/v1/caches").json(), "caches");
    REQUIRE(listed.size() == 2);
    CHECK(string_field(listed[0], "repo") == "octo/demo fork:forker/demo");
    CHECK(string_field(listed[1], "repo") == "octo/demo");
}
