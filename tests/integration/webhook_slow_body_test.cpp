// A client that trickles a request body (issue 10, items 1 and 3): every body must arrive
// within its deadline (kBodyDeadlineFloor, 10 s, plus its length at kBodyMinRate), however
// steadily its bytes come, else 408 and the connection is closed. One byte every 500 ms never
// lets a per-read timeout expire, so only a deadline for the whole body stops it.
// docs/security.md, "Webhook bodies before authentication".

#include <catch2/catch.hpp>
#include <cstdio>
#include <future>

#include "tests/support/cluster.h"
#include "tests/support/raw_http.h"
#include "tests/support/webhook.h"

using namespace fmg::testing;

namespace {

// A body larger than the 64 KiB an HTTP front end may wait for before a worker takes the
// request, most of it sent at once: the rest trickles while a worker reads it.
constexpr size_t kBodyBytes = 100 * 1024;
constexpr size_t kSentAtOnce = 70 * 1024;

struct Trickled {
    RawAnswer answer;
    std::chrono::milliseconds took{0};
};

/// Sends the head and the first kSentAtOnce bytes of a body, then one byte every 500 ms until
/// the server answers (or for at most 45 s: the deadline for 100 KiB is 10.2 s), and reads
/// the answer.
Trickled trickle(const Cluster& cluster, const std::string& path, Headers headers,
                 const std::string& body) {
    const auto start = Clock::now();
    RawHttpConnection connection(cluster.server_url());
    Trickled result;
    uint64_t sent = 0;
    bool open =
        connection.send(request_head(path, headers, body.size()) + body.substr(0, kSentAtOnce));
    sent = kSentAtOnce;
    const auto give_up = deadline_after(std::chrono::seconds(45));
    while (open && sent < body.size() && Clock::now() < give_up &&
           !connection.answer_waiting(std::chrono::milliseconds(500))) {
        open = connection.send(body.substr(sent, 1));
        ++sent;
    }
    result.answer = connection.read_answer(deadline_after(std::chrono::seconds(20)));
    result.answer.body_sent = sent;
    result.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    return result;
}

}  // namespace

TEST_CASE("e2e: a webhook or API body slower than its deadline is answered 408 and closed") {
    Cluster cluster;
    std::string webhook_body = ping_payload("octo", "demo");
    webhook_body.resize(kBodyBytes, ' ');
    auto webhook = std::async(std::launch::async, [&] {
        return trickle(
            cluster, "/webhook",
            webhook_headers("ping", sign_webhook(cluster.options().webhook_secret, webhook_body)),
            webhook_body);
    });
    std::string api_body = "{\"repo_url\": \"file:///nowhere\", \"ref\": \"refs/heads/main\"}";
    api_body.resize(kBodyBytes, ' ');
    auto api = std::async(std::launch::async, [&] {
        return trickle(cluster, "/api/v1/pipelines",
                       {{"Authorization", "Bearer " + cluster.admin_token()}}, api_body);
    });
    for (auto* future : {&webhook, &api}) {
        const Trickled result = future->get();
        INFO(result.answer.describe() << " after " << result.took.count() << " ms");
        CHECK(result.answer.status == 408);
        CHECK(result.answer.closed);
        // Well before the body could have arrived at this pace (over 4 hours).
        CHECK(result.answer.body_sent < kSentAtOnce + 200);
    }
    CHECK(cluster.pipeline_total() == 0);
    // The server is still answering.
    const HttpResponse ping =
        cluster.deliver("ping", ping_payload("octo", "demo"), new_delivery_id());
    CHECK(ping.status == 200);
}

TEST_CASE("e2e: a chunked body whose chunk-size line never ends is cut at its deadline") {
    Cluster cluster;
    // A first chunk of 70 KiB, then the next chunk-size line never ends: Poco reads it byte
    // after byte within one read, so spaces sent every 500 ms never let a receive timeout
    // expire. The body's deadline (12 s for an API body of unknown
    // length: kBodyDeadlineFloor + 1 MiB at kBodyMinRate) still ends it.
    const auto start = Clock::now();
    RawHttpConnection connection(cluster.server_url());
    char size_line[16];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", kSentAtOnce);
    bool open =
        connection.send(request_head("/api/v1/pipelines",
                                     {{"Authorization", "Bearer " + cluster.admin_token()}}, {}) +
                        size_line + "{" + std::string(kSentAtOnce - 1, ' ') + "\r\n");
    const auto give_up = deadline_after(std::chrono::seconds(45));
    int spaces = 0;
    while (open && Clock::now() < give_up &&
           !connection.answer_waiting(std::chrono::milliseconds(500))) {
        open = connection.send(" ");
        ++spaces;
    }
    const RawAnswer answer = connection.read_answer(deadline_after(std::chrono::seconds(20)));
    const auto took =
        std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - start).count();
    INFO(answer.describe() << " after " << took << " s and " << spaces << " spaces");
    CHECK(answer.status == 408);
    CHECK(answer.closed);
    CHECK(Clock::now() < give_up);
    CHECK(cluster.pipeline_total() == 0);
}
