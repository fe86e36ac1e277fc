// GitHub caps deliveries at 25 MB; fmg refuses anything larger with 413 and stores nothing
// (SPEC "Webhooks"). A Content-Length over the limit is refused from the request head, before
// the body is read, so the client must read the answer while it sends (as curl does): this
// one stops sending once the answer is there.

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/raw_http.h"
#include "tests/support/webhook.h"

using namespace fmg::testing;

TEST_CASE("e2e: a webhook body over 25 MB is refused with 413 and stores nothing") {
    Cluster cluster;
    // A well-formed signature (the body is refused for its length before it could be checked).
    const uint64_t length = 25 * 1024 * 1024 + 1;
    const RawAnswer answer =
        post_large(cluster.server_url(), "/webhook",
                   webhook_headers("push", sign_webhook(cluster.options().webhook_secret, "{}")),
                   length, true, deadline_after(std::chrono::seconds(60)));
    INFO(answer.describe());
    CHECK(answer.status == 413);
    CHECK_THAT(answer.body, Catch::Contains("25 MB"));
    CHECK(answer.body_sent < length);
    CHECK(cluster.pipeline_total() == 0);

    // The coordinator is still answering normally afterwards.
    const HttpResponse ping =
        cluster.deliver("ping", ping_payload("octo", "demo"), new_delivery_id());
    CHECK(ping.status == 200);
}
