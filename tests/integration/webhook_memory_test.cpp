// Strangers sending many large webhook bodies at once (issue 10, item 3): unsigned bodies are
// refused before they are read, wrongly signed ones are read only within the coordinator's
// budget for unauthenticated bodies (kUnauthenticatedBodyBudget, 64 MiB), so memory stays
// bounded however many arrive. docs/security.md, "Webhook bodies before authentication".

#include <catch2/catch.hpp>
#include <future>
#include <map>
#include <vector>

#include "tests/support/cluster.h"
#include "tests/support/raw_http.h"
#include "tests/support/webhook.h"

using namespace fmg::testing;

namespace {

constexpr uint64_t kAttackBodyBytes = 25 * 1024 * 1024;  // GitHub's (and fmg's) limit
constexpr int kClientsPerKind = 32;
// The budget (64 MiB) plus room for the 64 connections' buffers, the worker threads' stacks
// and what glibc keeps in its arenas; main before the fix peaked over 1 GiB here.
constexpr int64_t kAllowedGrowthKib = 96 * 1024;

}  // namespace

TEST_CASE(
    "e2e: 64 concurrent 25 MB webhooks, unsigned or wrongly signed, keep the "
    "coordinator's memory bounded and are all answered") {
    Cluster cluster;
    const pid_t pid = cluster.coordinator().pid();
    const int64_t idle_rss = process_memory_kib(pid, "VmRSS");
    const int64_t idle_peak = process_memory_kib(pid, "VmHWM");

    // Well-formed signatures that do not match: the body must be read to find that out.
    const std::string wrong_signature = sign_webhook("not the secret", "a different body");
    const auto deadline = deadline_after(std::chrono::minutes(4));
    std::vector<std::future<RawAnswer>> answers;
    for (int i = 0; i < 2 * kClientsPerKind; ++i) {
        const bool signed_wrongly = i % 2 == 0;
        answers.push_back(std::async(std::launch::async, [&, signed_wrongly] {
            return post_large(
                cluster.server_url(), "/webhook",
                webhook_headers("push", signed_wrongly ? std::optional<std::string>(wrong_signature)
                                                       : std::nullopt),
                kAttackBodyBytes, true, deadline, false);
        }));
    }
    std::map<int, int> statuses;
    uint64_t bytes_sent = 0;
    for (auto& future : answers) {
        const RawAnswer answer = future.get();
        INFO(answer.describe());
        CHECK((answer.status == 401 || answer.status == 503));
        if (answer.status == 503) CHECK_THAT(answer.head, Catch::Contains("Retry-After: "));
        ++statuses[answer.status];
        bytes_sent += answer.body_sent;
    }
    const int64_t peak = process_memory_kib(pid, "VmHWM");
    const int64_t after = process_memory_kib(pid, "VmRSS");
    std::ostringstream summary;
    for (const auto& [status, count] : statuses) summary << " " << status << "x" << count;
    WARN("coordinator memory: idle VmRSS "
         << idle_rss / 1024 << " MiB (VmHWM " << idle_peak / 1024
         << " MiB), peak VmHWM during the attack " << peak / 1024 << " MiB, VmRSS after "
         << after / 1024 << " MiB; answers:" << summary.str() << "; " << bytes_sent / (1024 * 1024)
         << " MiB of body sent by the clients");
    CHECK(peak < idle_rss + kAllowedGrowthKib);

    // Nothing was stored, and GitHub's real deliveries are still taken.
    CHECK(cluster.pipeline_total() == 0);
    GitRepo repo = cluster.make_repo();
    repo.write_config(
        "version: 2.1\njobs:\n  build:\n    docker:\n      - image: "
        "fmg/busybox:latest\n    steps:\n      - run: echo hi\n"
        "workflows:\n  main:\n    jobs: [build]\n");
    cluster.push(repo, repo.commit("after the attack"));
    CHECK(cluster.pipeline_total() == 1);
}
