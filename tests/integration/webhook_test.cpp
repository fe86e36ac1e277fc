// The webhook endpoint as GitHub and an attacker see it: only correctly signed deliveries
// are stored, malformed ones are refused, and a redelivery never makes a second pipeline.
// Also the REST API's bearer token and the admin token file.

#include "tests/support/webhook.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/json.h"

using namespace fmg::testing;

namespace {

const std::string kConfig = R"(version: 2.1
jobs:
  build:
    docker:
      - image: fmg/busybox:latest
    steps:
      - run: echo hello
)";

}  // namespace

TEST_CASE("e2e: webhooks are refused unless signed, well-formed and new") {
    Cluster cluster;
    GitRepo repo = cluster.make_repo();
    repo.write_config(kConfig);
    PushEvent event;
    event.clone_url = repo.url();
    event.after = repo.commit("Add CI config");
    const std::string body = push_payload(event);

    // Bad signatures: another secret, another body, no header, a header without "sha256=".
    const std::string other_secret = sign_webhook("not the secret", body);
    CHECK(cluster.deliver_signed_as("push", body, other_secret, new_delivery_id()).status == 401);
    const std::string other_body = sign_webhook(cluster.options().webhook_secret, body + " ");
    CHECK(cluster.deliver_signed_as("push", body, other_body, new_delivery_id()).status == 401);
    CHECK(cluster.deliver_signed_as("push", body, std::nullopt, new_delivery_id()).status == 401);
    const std::string bare_hex = sign_webhook(cluster.options().webhook_secret, body).substr(7);
    CHECK(cluster.deliver_signed_as("push", body, bare_hex, new_delivery_id()).status == 401);
    CHECK(cluster.pipeline_total() == 0);

    // Signed but malformed.
    CHECK(cluster.deliver("push", "this is not JSON", new_delivery_id()).status == 400);
    CHECK(cluster.deliver("push", R"({"ref": "refs/heads/main"})", new_delivery_id()).status ==
          400);

    // Signed and well-formed, but nothing to build.
    const HttpResponse ping =
        cluster.deliver("ping", ping_payload("octo", "demo"), new_delivery_id());
    CHECK(ping.status == 200);
    PushEvent deletion = event;
    deletion.deleted = true;
    const HttpResponse deleted = cluster.deliver("push", push_payload(deletion), new_delivery_id());
    CHECK(deleted.status == 200);
    CHECK(deleted.json()->has("ignored"));
    const HttpResponse other_event =
        cluster.deliver("star", ping_payload("octo", "demo"), new_delivery_id());
    CHECK(other_event.status == 200);
    CHECK(other_event.json()->has("ignored"));
    CHECK(cluster.pipeline_total() == 0);

    // The same delivery twice: the same answer, one pipeline.
    const std::string delivery = new_delivery_id();
    const HttpResponse first = cluster.deliver("push", body, delivery);
    REQUIRE(first.status == 202);
    const int64_t id = int_field(first.json(), "pipeline_id");
    const HttpResponse again = cluster.deliver("push", body, delivery);
    CHECK(again.status == 202);
    CHECK(again.body == first.body);
    CHECK(int_field(again.json(), "pipeline_id") == id);
    CHECK(cluster.pipeline_total() == 1);
    const auto pipeline = cluster.pipeline(id);
    CHECK(string_field(pipeline, "sha") == event.after);
    CHECK(string_field(pipeline, "repo") == "octo/demo");
    CHECK(string_field(pipeline, "ref") == "refs/heads/main");
}

TEST_CASE("e2e: the REST API needs the admin token, which only its owner can read") {
    Cluster cluster;
    struct stat info {};
    REQUIRE(::stat((cluster.data_dir() / "admin.token").c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);

    CHECK(HttpClient(cluster.server_url()).get("/api/v1/pipelines").status == 401);
    CHECK(HttpClient(cluster.server_url(), "wrong-token").get("/api/v1/pipelines").status == 401);
    CHECK(HttpClient(cluster.server_url(), "wrong-token").get("/api/v1/runners").status == 401);
    const HttpResponse listed = cluster.api().get("/api/v1/pipelines");
    REQUIRE(listed.status == 200);
    CHECK(int_field(listed.json(), "total") == 0);
    CHECK(array_field(listed.json(), "data")->size() == 0);
    CHECK(HttpClient(cluster.server_url()).get("/healthz").status == 200);
}
