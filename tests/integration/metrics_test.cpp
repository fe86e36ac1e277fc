// GET /metrics: Prometheus text, no token needed, counting what users did (SPEC "REST API").

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/webhook.h"

using namespace fmg::testing;

namespace {
const std::string kConfig = R"(version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run: echo measured
)";
}  // namespace

TEST_CASE("e2e: /metrics counts pipelines, jobs, runners and webhook results without a token") {
    Cluster cluster;
    const AgentOptions shell = shell_agent_options();
    cluster.start_runner("metered", shell);
    GitRepo repo = cluster.make_repo();
    repo.write_config(kConfig);
    const int64_t id = cluster.push(repo, repo.commit("metrics"));
    cluster.wait_for_final(id);
    // One refused delivery, to be counted apart from the accepted one.
    cluster.deliver_signed_as("push", "{}", "sha256=00", new_delivery_id());

    const HttpResponse metrics = HttpClient(cluster.server_url(), "").get("/metrics");
    INFO(metrics.body);
    REQUIRE(metrics.status == 200);
    CHECK_THAT(metrics.content_type, Catch::StartsWith("text/plain"));
    CHECK_THAT(metrics.body, Catch::Contains("# TYPE fmg_pipelines gauge"));
    CHECK_THAT(metrics.body, Catch::Contains("fmg_pipelines{state=\"success\"} 1\n"));
    CHECK_THAT(metrics.body, Catch::Contains("fmg_jobs{state=\"success\"} 1\n"));
    CHECK_THAT(metrics.body, Catch::Contains("fmg_attempts{state=\"success\"} 1\n"));
    CHECK_THAT(metrics.body, Catch::Contains("fmg_runners{state=\"online\"} 1\n"));
    CHECK_THAT(metrics.body, Catch::Contains("fmg_queue_depth 0\n"));
    CHECK_THAT(metrics.body, Catch::Contains("fmg_webhooks_total{result=\"pipeline\"} 1\n"));
    CHECK_THAT(metrics.body, Catch::Contains("fmg_webhooks_total{result=\"bad_signature\"} 1\n"));
}
