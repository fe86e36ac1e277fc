// Values that reach URLs (docs/security.md, "Values that reach URLs, repository fetches,
// credentials"): a manual trigger's sha, ref and repo_url, and a webhook's repository name,
// are refused with 400 before anything reaches GitHub's API with the token.

#include <catch2/catch.hpp>

#include "tests/support/cluster.h"
#include "tests/support/json.h"
#include "tests/support/webhook.h"

using namespace fmg::testing;

namespace {

// Nothing listens on port 1 of loopback: a fetch from it fails at once, which makes the
// coordinator post an `fmg/config` error status for the pipeline's sha.
const std::string kUnreachableRepo = "http://127.0.0.1:1/octo/x.git";

std::string trigger_body(const std::string& repo_url, const std::string& ref,
                         const std::string& sha) {
    Poco::JSON::Object body;
    body.set("repo_url", repo_url);
    body.set("ref", ref);
    if (!sha.empty()) body.set("sha", sha);
    return to_json(Poco::JSON::Object::Ptr(new Poco::JSON::Object(body)));
}

bool any_request_path_contains(Cluster& cluster, const std::string& text) {
    for (const auto& request : cluster.github().requests()) {
        if (request.path.find(text) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("attack: a trigger's sha, ref or repo_url that would rewrite a GitHub URL is 400") {
    Cluster cluster;
    const int64_t before = cluster.pipeline_total();

    // The sha that was posted to GitHub as /repos/octo/x/statuses/../../../../user/keys?x=
    const HttpResponse traversal = cluster.api().post_json(
        "/api/v1/pipelines", trigger_body(kUnreachableRepo, "main", "../../../../user/keys?x="));
    INFO(traversal.describe());
    CHECK(traversal.status == 400);
    CHECK_THAT(traversal.body, Catch::Contains("40 hex"));

    struct Bad {
        std::string repo_url, ref, sha, why;
    };
    const std::vector<Bad> bad = {
        {kUnreachableRepo, "main", "abc123", "short sha"},
        {kUnreachableRepo, "main", std::string(40, 'g'), "not hex"},
        {kUnreachableRepo, "main/../../x", "", "ref with .."},
        {kUnreachableRepo, "ma in", "", "ref with a space"},
        {kUnreachableRepo, "feature.lock", "", "ref ending .lock"},
        {kUnreachableRepo, std::string(300, 'a'), "", "ref too long"},
        {"file:///etc", "main", "", "a path on the coordinator"},
        {"/var/lib/fmg", "main", "", "a local path"},
        {"ftp://example.com/o/r.git", "main", "", "another scheme"},
        {"https://user:ghp_secret@127.0.0.1/o/r.git", "main", "", "credentials in the URL"},
        {"http://127.0.0.1/../../user/keys?x=", "main", "", "owner/name not GitHub's"},
        {"http://127.0.0.1/" + std::string(3000, 'a') + "/r.git", "main", "", "too long"},
    };
    for (const Bad& b : bad) {
        const HttpResponse answer =
            cluster.api().post_json("/api/v1/pipelines", trigger_body(b.repo_url, b.ref, b.sha));
        INFO(b.why << ": " << answer.describe());
        CHECK(answer.status == 400);
    }
    CHECK(cluster.pipeline_total() == before);

    // A valid trigger of the same unreachable repository ends in error and GitHub hears of it:
    // statuses go one at a time, in order, so once this one arrived, none from the refused
    // triggers can still come.
    const std::string sha = "0123456789abcdef0123456789abcdef01234567";
    const HttpResponse valid =
        cluster.api().post_json("/api/v1/pipelines", trigger_body(kUnreachableRepo, "main", sha));
    REQUIRE(valid.status == 201);
    cluster.wait_for_github_status("fmg/config", sha, "error");
    CHECK_FALSE(any_request_path_contains(cluster, "user"));
    CHECK_FALSE(any_request_path_contains(cluster, ".."));
    for (const auto& request : cluster.github().requests()) {
        CHECK(request.path == "/repos/octo/x/statuses/" + sha);
    }
}

TEST_CASE("attack: a webhook whose repository full_name climbs out of /repos is 400") {
    Cluster cluster;
    GitRepo repo = cluster.make_repo();
    repo.write_config(
        "version: 2.1\njobs:\n  build:\n    docker:\n      - image: x\n"
        "    steps:\n      - run: true\n");
    const std::string sha = repo.commit("config");
    const int64_t before = cluster.pipeline_total();
    for (const std::string& name : {std::string("../../user/keys"), std::string(".."),
                                    std::string("x?y="), std::string(101, 'n')}) {
        PushEvent event;
        event.owner = "octo";
        event.name = name;
        event.clone_url = repo.url();
        event.after = sha;
        const HttpResponse answer = cluster.deliver("push", push_payload(event), new_delivery_id());
        INFO(event.full_name() << ": " << answer.describe());
        CHECK(answer.status == 400);
        CHECK_THAT(answer.body, Catch::Contains("full_name"));
    }
    CHECK(cluster.pipeline_total() == before);
}
