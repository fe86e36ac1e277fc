// GitHub statuses travel on one kept-alive connection instead of a TCP (and, with GitHub,
// TLS) handshake each; when GitHub closed the idle connection, the next status goes on a new
// one at once, posted once.

#include <catch2/catch.hpp>
#include <set>

#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

// Three jobs one after another, each with a status pending then success; the gap between
// posts is set by the sleep.
std::string chain_config(const std::string& sleep) {
    std::string yaml = "version: 2.1\njobs:\n";
    for (const char* name : {"a", "b", "c"}) {
        yaml +=
            std::string("  ") + name +
            ":\n    docker:\n      - image: fmg/busybox:latest\n    steps:\n      - run: sleep " +
            sleep + "\n";
    }
    yaml +=
        "workflows:\n  chain:\n    jobs:\n      - a\n      - b:\n          requires: [a]\n"
        "      - c:\n          requires: [b]\n";
    return yaml;
}

struct Outcome {
    size_t statuses = 0;
    size_t connections = 0;
};

Outcome run_chain(Cluster& cluster, const std::string& sleep) {
    const AgentOptions shell = shell_agent_options();
    cluster.start_runner("runner-1", shell);
    GitRepo repo = cluster.make_repo();
    repo.write_config(chain_config(sleep));
    const std::string sha = repo.commit("three jobs in a row");
    const int64_t id = cluster.push(repo, sha);
    const auto pipeline = cluster.wait_for_final(id);
    REQUIRE(string_field(pipeline, "status") == "success");
    cluster.wait_for_github_status("fmg/c", sha, "success");

    Outcome outcome;
    std::set<std::string> clients;
    for (const auto& posted : cluster.github().requests()) clients.insert(posted.client);
    for (const char* job : {"fmg/a", "fmg/b", "fmg/c"}) {
        std::vector<std::string> states;
        for (const auto& posted : cluster.github().statuses_for(job))
            states.push_back(posted.state);
        INFO(job);
        CHECK(states == std::vector<std::string>{"pending", "success"});  // each posted once
    }
    CHECK(cluster.github().rejected().empty());
    outcome.statuses = cluster.github().requests().size();
    outcome.connections = clients.size();
    return outcome;
}

}  // namespace

TEST_CASE("e2e: GitHub statuses share one kept-alive connection") {
    Cluster cluster;
    const Outcome outcome = run_chain(cluster, "0");
    CHECK(outcome.statuses == 6);
    CHECK(outcome.connections == 1);
}

TEST_CASE(
    "e2e: a GitHub connection closed while idle is replaced, and no status is lost or "
    "posted twice") {
    ClusterOptions options;
    options.github_idle_close = std::chrono::milliseconds(100);
    Cluster cluster(options);
    // Each job sleeps past the fake's idle limit, so the kept connection is gone by the time
    // the next status goes.
    const Outcome outcome = run_chain(cluster, "0.4");
    CHECK(outcome.statuses == 6);
    CHECK(outcome.connections > 1);
    CHECK_THAT(cluster.coordinator().stderr_text(), !Catch::Contains("not posted"));
}
