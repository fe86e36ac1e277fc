// Webhook bodies before authentication (issue 10, item 3): what can be refused from the
// request head is refused before the client sends a byte of its body; a chunked body is
// refused as soon as it passes 25 MB; GitHub's large genuine deliveries still get through.
// docs/security.md, "Webhook bodies before authentication".

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/json.h"
#include "tests/support/raw_http.h"
#include "tests/support/webhook.h"

using namespace fmg::testing;

namespace {

constexpr uint64_t kLimit = 25 * 1024 * 1024;

/// Sends only the head of a 25 MB delivery, never its body, and waits for the answer.
RawAnswer head_only(const Cluster& cluster, const std::optional<std::string>& signature,
                    uint64_t length = kLimit) {
    return post_large(cluster.server_url(), "/webhook", webhook_headers("push", signature), length,
                      false, deadline_after(std::chrono::seconds(20)));
}

/// Sends a chunked body of `length` bytes (64 KiB chunks) that stops early when the server
/// answers, then reads the answer.
RawAnswer post_chunked(const Cluster& cluster, const std::string& body_start, uint64_t length,
                       const std::optional<std::string>& signature) {
    RawHttpConnection connection(cluster.server_url());
    RawAnswer answer;
    std::string body = body_start;
    uint64_t sent = 0;
    bool open = connection.send(request_head("/webhook", webhook_headers("ping", signature), {}));
    while (open && sent < length && !connection.answer_waiting()) {
        const size_t size = static_cast<size_t>(std::min<uint64_t>(64 * 1024, length - sent));
        if (body.size() < size) body.append(size - body.size(), ' ');
        char size_line[32];
        std::snprintf(size_line, sizeof size_line, "%zx\r\n", size);
        open = connection.send(size_line + body.substr(0, size) + "\r\n");
        body.erase(0, size);
        sent += size;
    }
    if (open && sent >= length) connection.send("0\r\n\r\n");
    // A whole answer is enough: an accepted request may leave the connection open.
    answer = connection.read_answer(deadline_after(std::chrono::seconds(60)), false);
    answer.body_sent = sent;
    return answer;
}

}  // namespace

TEST_CASE("e2e: a webhook without a well-formed signature is refused before its body is sent") {
    Cluster cluster;
    // The client sends the head of a 25 MB delivery and waits: the answer comes without the
    // body (the old coordinator waited for all 25 MB before looking at the signature).
    for (const std::optional<std::string>& signature :
         {std::optional<std::string>(), std::optional<std::string>("sha256=abc"),
          std::optional<std::string>("sha1=" + std::string(40, 'a')),
          std::optional<std::string>("sha256=" + std::string(63, 'a') + "z")}) {
        INFO("signature header: " << signature.value_or("(none)"));
        const RawAnswer answer = head_only(cluster, signature);
        INFO(answer.describe());
        CHECK(answer.status == 401);
        CHECK_THAT(answer.body, Catch::Contains("X-Hub-Signature-256"));
        CHECK(answer.closed);
    }
    // A well-formed signature on a Content-Length over 25 MB: 413, also unread.
    const RawAnswer too_large = head_only(cluster, sign_webhook("x", "y"), kLimit + 1);
    INFO(too_large.describe());
    CHECK(too_large.status == 413);
    CHECK_THAT(too_large.body, Catch::Contains("25 MB"));
    CHECK(too_large.closed);
    CHECK(cluster.pipeline_total() == 0);
}

TEST_CASE("e2e: with no webhook secret configured every webhook is refused before its body") {
    ClusterOptions options;
    options.webhook_secret = "";
    Cluster cluster(options);
    const RawAnswer answer = head_only(cluster, sign_webhook("guess", "body"));
    INFO(answer.describe());
    CHECK(answer.status == 401);
    CHECK_THAT(answer.body, Catch::Contains("no webhook secret"));
    CHECK(answer.closed);
}

TEST_CASE(
    "e2e: a chunked webhook is refused with 413 once it passes 25 MB, and a small "
    "chunked one is taken") {
    Cluster cluster;
    // The signature is well-formed; the body is refused for its size as soon as it passes
    // the limit, before its end (the client would go on for 30 MB).
    const RawAnswer large = post_chunked(cluster, "{", 30 * 1024 * 1024, sign_webhook("x", "y"));
    INFO(large.describe());
    CHECK(large.status == 413);
    CHECK(large.body_sent < 30 * 1024 * 1024);

    const std::string ping = ping_payload("octo", "demo");
    const RawAnswer small = post_chunked(cluster, ping, ping.size(),
                                         sign_webhook(cluster.options().webhook_secret, ping));
    INFO(small.describe());
    CHECK(small.status == 200);
    CHECK_THAT(small.body, Catch::Contains("pong"));
}

TEST_CASE("e2e: a genuine 20 MB webhook (a push padded with a large field) is accepted") {
    Cluster cluster;
    GitRepo repo = cluster.make_repo();
    repo.write_config(
        "version: 2.1\njobs:\n  build:\n    docker:\n      - image: "
        "fmg/busybox:latest\n    steps:\n      - run: echo hi\n"
        "workflows:\n  main:\n    jobs: [build]\n");
    PushEvent event;
    event.clone_url = repo.url();
    event.after = repo.commit("a large push");
    std::string body = push_payload(event);
    REQUIRE(body.front() == '{');
    body.insert(1, "\"padding\": \"" + std::string(20 * 1000 * 1000, 'p') + "\", ");
    const HttpResponse answer = cluster.deliver("push", body, new_delivery_id());
    INFO(answer.describe());
    REQUIRE(answer.status == 202);
    CHECK(int_field(answer.json(), "pipeline_id") > 0);
    CHECK(cluster.pipeline_total() == 1);
}
