// GitHub caps deliveries at 25 MB; fmg refuses anything larger with 413 and stores nothing
// (SPEC "Webhooks").

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/webhook.h"

using namespace fmg::testing;

TEST_CASE("e2e: a webhook body over 25 MB is refused with 413 and stores nothing") {
    Cluster cluster;
    // A correctly signed push whose body is padded past the limit.
    std::string body = "{\"ref\": \"refs/heads/main\", \"padding\": \"";
    body.append(25 * 1024 * 1024, 'x');
    body += "\"}";
    const HttpResponse answer = cluster.deliver("push", body, new_delivery_id());
    CHECK(answer.status == 413);
    CHECK_THAT(answer.body, Catch::Contains("25 MB"));
    CHECK(cluster.pipeline_total() == 0);

    // The coordinator is still answering normally afterwards.
    const HttpResponse ping =
        cluster.deliver("ping", ping_payload("octo", "demo"), new_delivery_id());
    CHECK(ping.status == 200);
}
