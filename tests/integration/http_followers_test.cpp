// Log followers as an attacker (or a flaky network) uses them: many followers of a silent job
// that connect and then drop must give their slots back within seconds, not hold a thread for
// ever; and SIGTERM with followers attached stops the coordinator promptly with exit 0
// (issue 10 item 2).

#include <catch2/catch.hpp>
#include <csignal>
#include <regex>
#include <vector>

#include "tests/support/cluster.h"
#include "tests/support/raw_client.h"

using namespace fmg::testing;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> kFollowerAddresses = {"127.0.0.2", "127.0.0.3", "127.0.0.4",
                                                     "127.0.0.5"};

/// A job that prints one line and then stays silent until the file `flag` appears (never,
/// here): its followers wait with nothing to write.
std::string silent_config(const std::filesystem::path& flag) {
    return "version: 2.1\njobs:\n  build:\n    docker:\n      - image: fmg/busybox:latest\n"
           "    steps:\n      - run:\n          name: Stay silent\n          command: |\n"
           "            echo started\n"
           "            while [ ! -f " +
           flag.string() + " ]; do sleep 0.1; done\n";
}

/// A running pipeline whose only job `build` is silent; returns its id.
int64_t start_silent_job(Cluster& cluster) {
    const AgentOptions agent = shell_agent_options();
    cluster.start_runner("runner-1", agent);
    GitRepo repo = cluster.make_repo();
    repo.write_config(silent_config(cluster.dir() / "never"));
    const int64_t id = cluster.push(repo, repo.commit("A silent job"));
    cluster.wait_for_job_status(id, "build", "running");
    return id;
}

/// Opens `count` raw followers of job `build` of pipeline `id`, spread over four addresses,
/// and waits until each has its answer's head and the job's first line.
std::vector<RawConnection> attach_followers(Cluster& cluster, int64_t id, int count) {
    const uint16_t port = port_of(cluster.server_url());
    const std::string request = "GET /api/v1/pipelines/" + std::to_string(id) +
                                "/jobs/build/log?follow=1 HTTP/1.1\r\nHost: x\r\n"
                                "Authorization: Bearer " +
                                cluster.admin_token() + "\r\n\r\n";
    std::vector<RawConnection> followers;
    for (int i = 0; i < count; ++i) {
        followers.emplace_back(kFollowerAddresses[i % kFollowerAddresses.size()], port);
        REQUIRE(followers.back().send(request));
    }
    for (auto& follower : followers) {
        std::string answer = follower.read_until("started", 30s);
        INFO(answer);
        REQUIRE(status_line_of(answer) == "HTTP/1.1 200 OK");
        REQUIRE(answer.find("started") != std::string::npos);
    }
    return followers;
}

/// fmg_http_log_followers from /metrics; -1 when the gauge is missing.
int followers_gauge(const Cluster& cluster) {
    HttpResponse metrics = HttpClient(cluster.server_url(), "", 10s).get("/metrics");
    std::smatch match;
    static const std::regex gauge("\nfmg_http_log_followers ([0-9]+)\n");
    if (metrics.status != 200 || !std::regex_search(metrics.body, match, gauge)) return -1;
    return std::stoi(match[1]);
}

}  // namespace

TEST_CASE("http: followers of a silent job that drop give their slots back") {
    Cluster cluster;
    const int64_t id = start_silent_job(cluster);
    // Two waves of 60 (the follower pool has 64 places, kMaxLogFollowers): the second is only
    // served if the first one's places came back.
    for (int wave = 0; wave < 2; ++wave) {
        auto followers = attach_followers(cluster, id, 60);
        CHECK(followers_gauge(cluster) == 60);
        followers.clear();  // every client goes away; the job still prints nothing
        auto dropped = std::chrono::steady_clock::now();
        cluster.wait_until(
            deadline_after(30s), [&] { return followers_gauge(cluster) == 0; },
            "the followers' places to be released");
        auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - dropped);
        // Each notices within kLogFollowRecheck (1 s) of its next wake-up; the wide bound is
        // for a loaded machine.
        CHECK(took < 10s);
        WARN("wave " << wave + 1 << ": 60 dropped followers released in " << took.count() << " ms");
    }
    // The API and a new follower still work.
    CHECK(cluster.api().get("/api/v1/pipelines/" + std::to_string(id)).status == 200);
    auto last = attach_followers(cluster, id, 1);
    CHECK(followers_gauge(cluster) == 1);
}

TEST_CASE("http: past the follower cap a follower gets 503, and others are still served") {
    Cluster cluster;
    const int64_t id = start_silent_job(cluster);
    auto followers = attach_followers(cluster, id, 64);
    RawConnection extra("127.0.0.6", port_of(cluster.server_url()));
    extra.send("GET /api/v1/pipelines/" + std::to_string(id) +
               "/jobs/build/log?follow=true HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
               cluster.admin_token() + "\r\n\r\n");
    std::string answer = extra.read_until_closed(10s);
    INFO(answer);
    CHECK(status_line_of(answer) == "HTTP/1.1 503 Service Unavailable");
    CHECK(answer.find("Retry-After: ") != std::string::npos);
    CHECK(answer.find("too many log followers") != std::string::npos);
    // Followers never take the workers: the API answers as ever.
    CHECK(cluster.api().get("/api/v1/pipelines/" + std::to_string(id)).status == 200);
    CHECK(HttpClient(cluster.server_url()).get("/healthz").status == 200);
}

TEST_CASE("http: SIGTERM with 40 followers attached stops the coordinator promptly") {
    Cluster cluster;
    const int64_t id = start_silent_job(cluster);
    auto followers = attach_followers(cluster, id, 40);
    auto signalled = std::chrono::steady_clock::now();
    cluster.coordinator().kill(SIGTERM);
    // Shutdown wakes every follower at once and joins them; 5 s leaves a loaded machine room.
    auto ended = cluster.coordinator().wait_for(deadline_after(5s));
    INFO(tail_files(cluster.log_files()));
    REQUIRE(ended);
    CHECK(ended->exited_with(0));
    WARN("the coordinator stopped " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::steady_clock::now() - signalled)
                                           .count()
                                    << " ms after SIGTERM");
    // Each follower got the end of its answer: a line saying why, then the last chunk.
    for (auto& follower : followers) {
        std::string answer = follower.read_until_closed(5s);
        CHECK(answer.find("the coordinator is shutting down") != std::string::npos);
        CHECK(answer.find("\r\n0\r\n\r\n") != std::string::npos);
    }
}
