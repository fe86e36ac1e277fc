// A repository server that accepts the connection and then says nothing (docs/security.md,
// "Values that reach URLs, repository fetches, credentials"): it delays no other
// repository's pipeline, and its own pipeline ends in `error` at --fetch-timeout.

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

// Long enough that the good pipeline (a shell job on a runner that is already up) finishes
// well within it even on a loaded machine, short enough to keep the test quick.
constexpr std::chrono::milliseconds kFetchTimeout{20'000};

std::string trigger_body(const std::string& repo_url, const std::string& sha) {
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
    body->set("repo_url", repo_url);
    body->set("ref", "main");
    body->set("sha", sha);
    return to_json(body);
}

}  // namespace

TEST_CASE("attack: a repository server that never answers delays no other pipeline") {
    // The kernel completes TCP handshakes into the backlog of a listening socket that never
    // calls accept(): the coordinator connects, sends its request, and hears nothing.
    Poco::Net::ServerSocket silent(Poco::Net::SocketAddress("127.0.0.1", 0), 64);
    const std::string hung_url =
        "http://127.0.0.1:" + std::to_string(silent.address().port()) + "/octo/hung.git";

    ClusterOptions options;
    options.coordinator_args = {"--fetch-timeout", std::to_string(kFetchTimeout.count())};
    Cluster cluster(options);
    const AgentOptions shell = shell_agent_options();
    cluster.start_runner("runner-1", shell);

    // More hung pipelines than the preparer has threads: they are one repository, so they
    // hold one thread between them.
    const std::string hung_sha = "0123456789abcdef0123456789abcdef01234567";
    const auto triggered_at = std::chrono::steady_clock::now();
    std::vector<int64_t> hung;
    for (int i = 0; i < 6; ++i) {
        const HttpResponse answer =
            cluster.api().post_json("/api/v1/pipelines", trigger_body(hung_url, hung_sha));
        REQUIRE(answer.status == 201);
        hung.push_back(int_field(answer.json(), "id"));
    }

    GitRepo repo = cluster.make_repo();
    repo.write_config(
        "version: 2.1\njobs:\n  build:\n    docker:\n      - image: fmg/busybox\n"
        "    steps:\n      - run: echo good\n");
    const std::string sha = repo.commit("a job that works");
    const int64_t good = cluster.push(repo, sha);
    const auto finished = cluster.wait_for_final(good, kFetchTimeout);
    const auto good_took = std::chrono::steady_clock::now() - triggered_at;
    CHECK(string_field(finished, "status") == "success");
    // Still fetching: the good pipeline did not wait for the hung server.
    const auto first = cluster.pipeline(hung.front());
    INFO("hung pipeline: "
         << to_json(first) << ", good one took "
         << std::chrono::duration_cast<std::chrono::milliseconds>(good_took).count() << " ms");
    CHECK(string_field(first, "status") == "queued");

    // The hung one ends in error at the deadline, saying why, and GitHub hears of it.
    const auto ended = cluster.wait_for_final(hung.front(), kFetchTimeout * 3);
    CHECK(string_field(ended, "status") == "error");
    const auto error = optional_string(ended, "error");
    REQUIRE(error);
    CHECK_THAT(*error, Catch::Contains("did not answer within 20000 ms (--fetch-timeout)"));
    CHECK_THAT(*error, Catch::Contains(hung_url));
    cluster.wait_for_github_status("fmg/config", hung_sha, "error");
}
