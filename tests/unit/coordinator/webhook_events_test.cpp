// decide_webhook: what a GitHub delivery asks of fmg (SPEC "Webhooks"), from payloads shaped
// like the ones GitHub sends (trimmed of fields fmg never reads, but keeping their types:
// push events carry `repository.created_at` as a number, other events as a string).

#include "coordinator/http/webhook_events.h"

#include <catch2/catch.hpp>
#include <string>

using namespace fmg::coordinator::http;
using Kind = WebhookDecision::Kind;

namespace {

constexpr const char* kAfter = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";
constexpr const char* kBefore = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
constexpr const char* kHeadSha = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
        text.replace(at, from.size(), to);
        at += to.size();
    }
    return text;
}

std::string repository_json(const std::string& full_name, const char* created_at) {
    std::string owner = full_name.substr(0, full_name.find('/'));
    std::string name = full_name.substr(full_name.find('/') + 1);
    return replaced(replaced(replaced(replaced(R"({
    "id": 186853002,
    "node_id": "MDEwOlJlcG9zaXRvcnkxODY4NTMwMDI=",
    "name": "@NAME@",
    "full_name": "@FULL@",
    "private": false,
    "owner": {"login": "@OWNER@", "id": 21031067, "type": "User", "site_admin": false},
    "html_url": "https://github.com/@FULL@",
    "fork": false,
    "url": "https://api.github.com/repos/@FULL@",
    "created_at": @CREATED@,
    "updated_at": "2024-05-15T15:20:41Z",
    "git_url": "git://github.com/@FULL@.git",
    "ssh_url": "git@github.com:@FULL@.git",
    "clone_url": "https://github.com/@FULL@.git",
    "default_branch": "main"
  })",
                                               "@FULL@", full_name),
                                      "@NAME@", name),
                             "@OWNER@", owner),
                    "@CREATED@", created_at);
}

/// A push event as GitHub delivers it.
std::string push_payload(const std::string& ref, const std::string& after, bool deleted = false) {
    std::string text = R"({
  "ref": "@REF@",
  "before": "@BEFORE@",
  "after": "@AFTER@",
  "repository": @REPO@,
  "pusher": {"name": "Codertocat", "email": "21031067+Codertocat@users.noreply.github.com"},
  "sender": {"login": "Codertocat", "id": 21031067, "type": "User", "site_admin": false},
  "created": false,
  "deleted": @DELETED@,
  "forced": false,
  "base_ref": null,
  "compare": "https://github.com/Codertocat/Hello-World/compare/6113728f27ae...0d1a26e67d8f",
  "commits": [],
  "head_commit": null
})";
    text = replaced(text, "@REPO@", repository_json("Codertocat/Hello-World", "1557933565"));
    text = replaced(text, "@REF@", ref);
    text = replaced(text, "@BEFORE@", kBefore);
    text = replaced(text, "@AFTER@", after);
    return replaced(text, "@DELETED@", deleted ? "true" : "false");
}

/// A pull_request event; `head_repo` differs from the base for a pull request from a fork.
std::string pull_request_payload(const std::string& action,
                                 const std::string& head_repo = "Codertocat/Hello-World") {
    std::string text = R"({
  "action": "@ACTION@",
  "number": 2,
  "pull_request": {
    "url": "https://api.github.com/repos/Codertocat/Hello-World/pulls/2",
    "id": 279147437,
    "number": 2,
    "state": "open",
    "locked": false,
    "title": "Update the README with new information.",
    "user": {"login": "Codertocat", "id": 21031067, "type": "User"},
    "draft": false,
    "head": {
      "label": "Codertocat:changes",
      "ref": "changes",
      "sha": "@HEAD_SHA@",
      "user": {"login": "Codertocat", "id": 21031067, "type": "User"},
      "repo": @HEAD_REPO@
    },
    "base": {
      "label": "Codertocat:main",
      "ref": "main",
      "sha": "f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
      "user": {"login": "Codertocat", "id": 21031067, "type": "User"},
      "repo": @BASE_REPO@
    },
    "merged": false,
    "commits": 1
  },
  "repository": @BASE_REPO@,
  "sender": {"login": "Codertocat", "id": 21031067, "type": "User"}
})";
    text = replaced(text, "@BASE_REPO@",
                    repository_json("Codertocat/Hello-World", "\"2019-05-15T15:19:25Z\""));
    text = replaced(text, "@HEAD_REPO@", repository_json(head_repo, "\"2019-05-15T15:19:25Z\""));
    text = replaced(text, "@ACTION@", action);
    return replaced(text, "@HEAD_SHA@", kHeadSha);
}

}  // namespace

TEST_CASE("a push to a branch runs a pipeline for the pushed commit") {
    auto decision = decide_webhook("push", push_payload("refs/heads/main", kAfter));
    CHECK(decision.kind == Kind::run);
    CHECK(decision.trigger == "push");
    CHECK(decision.ref == "refs/heads/main");
    CHECK(decision.sha == kAfter);
    CHECK(decision.repo == "Codertocat/Hello-World");
    CHECK(decision.repo_url == "https://github.com/Codertocat/Hello-World.git");
}

TEST_CASE("a push of a tag runs a pipeline for the tag") {
    auto decision = decide_webhook("push", push_payload("refs/tags/v1.2.0", kAfter));
    CHECK(decision.kind == Kind::run);
    CHECK(decision.ref == "refs/tags/v1.2.0");
    CHECK(decision.sha == kAfter);
}

TEST_CASE("pushes that delete a branch, or update no branch or tag, are ignored") {
    SECTION("deleted: true") {
        auto decision = decide_webhook("push", push_payload("refs/heads/feature", kAfter, true));
        CHECK(decision.kind == Kind::ignore);
        CHECK_THAT(decision.reason, Catch::Contains("refs/heads/feature"));
    }
    SECTION("after is all zeros") {
        auto decision =
            decide_webhook("push", push_payload("refs/heads/feature", std::string(40, '0')));
        CHECK(decision.kind == Kind::ignore);
        CHECK_FALSE(decision.reason.empty());
    }
    SECTION("a ref outside refs/heads and refs/tags") {
        auto decision = decide_webhook("push", push_payload("refs/notes/commits", kAfter));
        CHECK(decision.kind == Kind::ignore);
        CHECK_THAT(decision.reason, Catch::Contains("refs/notes/commits"));
    }
}

TEST_CASE("a push missing what it needs, or a body that is not JSON, is a bad request") {
    SECTION("no 'after'") {
        std::string body = replaced(push_payload("refs/heads/main", kAfter),
                                    "\"after\": \"" + std::string(kAfter) + "\",", "");
        REQUIRE(body.find("\"after\"") == std::string::npos);
        auto decision = decide_webhook("push", body);
        CHECK(decision.kind == Kind::bad_request);
        CHECK_THAT(decision.reason, Catch::Contains("after"));
    }
    SECTION("'after' is not a commit sha") {
        auto decision = decide_webhook("push", push_payload("refs/heads/main", "main"));
        CHECK(decision.kind == Kind::bad_request);
    }
    SECTION("no repository") {
        std::string body = R"({"ref": "refs/heads/main", "before": ")" + std::string(kBefore) +
                           R"(", "after": ")" + kAfter + R"(", "deleted": false})";
        auto decision = decide_webhook("push", body);
        CHECK(decision.kind == Kind::bad_request);
        CHECK_THAT(decision.reason, Catch::Contains("repository"));
    }
    SECTION("a form-encoded body (a hook set to application/x-www-form-urlencoded)") {
        auto decision = decide_webhook("push", "payload=%7B%22ref%22%3A%22refs%2Fheads%22%7D");
        CHECK(decision.kind == Kind::bad_request);
    }
    SECTION("cut-off JSON") {
        std::string body = push_payload("refs/heads/main", kAfter);
        auto decision = decide_webhook("push", body.substr(0, body.size() / 2));
        CHECK(decision.kind == Kind::bad_request);
    }
    SECTION("a JSON array") {
        CHECK(decide_webhook("push", "[1, 2]").kind == Kind::bad_request);
    }
}

TEST_CASE("a ping is answered") {
    std::string body = R"({
  "zen": "Keep it logically awesome.",
  "hook_id": 109948940,
  "hook": {
    "type": "Repository",
    "id": 109948940,
    "name": "web",
    "active": true,
    "events": ["push", "pull_request"],
    "config": {"content_type": "json", "insecure_ssl": "0", "url": "https://ci.example.com/webhook"},
    "updated_at": "2024-05-24T14:03:40Z",
    "created_at": "2024-05-24T14:03:40Z"
  },
  "repository": )" + repository_json("Codertocat/Hello-World", "\"2019-05-15T15:19:25Z\"") +
                       R"(,
  "sender": {"login": "Codertocat", "id": 21031067, "type": "User"}
})";
    CHECK(decide_webhook("ping", body).kind == Kind::pong);
}

TEST_CASE("an opened, synchronized or reopened pull request runs its head commit") {
    auto action = GENERATE(as<std::string>{}, "opened", "synchronize", "reopened");
    CAPTURE(action);
    auto decision = decide_webhook("pull_request", pull_request_payload(action));
    CHECK(decision.kind == Kind::run);
    CHECK(decision.trigger == "pull_request");
    CHECK(decision.sha == kHeadSha);
    CHECK(decision.ref == "refs/heads/changes");
    CHECK(decision.repo == "Codertocat/Hello-World");
    CHECK(decision.repo_url == "https://github.com/Codertocat/Hello-World.git");
}

TEST_CASE("a pull request from a fork is fetched from the fork, reported on the base") {
    auto decision =
        decide_webhook("pull_request", pull_request_payload("opened", "forker/Hello-World"));
    CHECK(decision.kind == Kind::run);
    CHECK(decision.sha == kHeadSha);
    CHECK(decision.repo_url == "https://github.com/forker/Hello-World.git");
    CHECK(decision.repo == "Codertocat/Hello-World");  // statuses go to the base repository
    CHECK(decision.from_fork);
    CHECK(decision.fork_repo == "forker/Hello-World");
}

TEST_CASE("the fork decision: head repository against base repository") {
    const std::vector<std::string> nobody;
    SECTION("the base repository's own branch is no fork, and needs no approval") {
        auto decision = decide_webhook("pull_request", pull_request_payload("opened"));
        CHECK_FALSE(decision.from_fork);
        CHECK_FALSE(needs_approval(decision, nobody));
    }
    SECTION("a name differing only in case is the same repository (GitHub ignores case)") {
        auto decision = decide_webhook("pull_request",
                                       pull_request_payload("opened", "codertocat/hello-world"));
        CHECK_FALSE(decision.from_fork);
    }
    SECTION("a fork needs approval, unless its base repository trusts forks") {
        auto decision = decide_webhook("pull_request",
                                       pull_request_payload("synchronize", "forker/Hello-World"));
        CHECK(needs_approval(decision, nobody));
        CHECK(needs_approval(decision, {"other/repo"}));
        CHECK(needs_approval(decision, {"forker/Hello-World"}));  // trusting the fork is not it
        CHECK_FALSE(needs_approval(decision, {"other/repo", "codertocat/hello-world"}));
    }
    SECTION("a deleted fork (head.repo null) is a fork, fetched from the base") {
        std::string body = pull_request_payload("opened", "forker/Hello-World");
        auto head_repo = body.find("\"repo\": {", body.find("\"head\""));
        auto end = body.find("\n    },", head_repo);
        REQUIRE(end != std::string::npos);
        body.replace(head_repo, end + 1 - head_repo, "\"repo\": null");
        auto decision = decide_webhook("pull_request", body);
        REQUIRE(decision.kind == Kind::run);
        CHECK(decision.from_fork);
        CHECK(decision.fork_repo.empty());
        CHECK(decision.repo_url == "https://github.com/Codertocat/Hello-World.git");
        CHECK(needs_approval(decision, nobody));
    }
    SECTION("a push is never held") {
        auto decision = decide_webhook("push", push_payload("refs/heads/main", kAfter));
        CHECK_FALSE(needs_approval(decision, nobody));
    }
}

TEST_CASE("a fork's clone URL must name the fork on the base repository's host") {
    std::string body = pull_request_payload("opened", "forker/Hello-World");
    auto bad = [&](const std::string& from, const std::string& to) {
        auto decision = decide_webhook("pull_request", replaced(body, from, to));
        INFO(to);
        CHECK(decision.kind == Kind::bad_request);
        return decision.reason;
    };
    const std::string clone = "\"clone_url\": \"https://github.com/forker/Hello-World.git\"";
    REQUIRE(body.find(clone) != std::string::npos);
    CHECK_THAT(bad(clone, "\"clone_url\": \"https://evil.example/forker/Hello-World.git\""),
               Catch::Contains("host"));
    bad(clone, "\"clone_url\": \"http://github.com/forker/Hello-World.git\"");
    bad(clone, "\"clone_url\": \"https://github.com:8443/forker/Hello-World.git\"");
    bad(clone, "\"clone_url\": \"https://github.com/someone/else.git\"");
    bad(clone, "\"clone_url\": \"/srv/git/forker/Hello-World.git\"");
    // A full name GitHub would never send is refused, not shown in a status.
    bad("\"full_name\": \"forker/Hello-World\"", "\"full_name\": \"forker/../../x y\"");
}

TEST_CASE("other pull request actions and other events are ignored with a reason") {
    auto action = GENERATE(as<std::string>{}, "closed", "labeled", "edited", "assigned");
    CAPTURE(action);
    auto decision = decide_webhook("pull_request", pull_request_payload(action));
    CHECK(decision.kind == Kind::ignore);
    CHECK_THAT(decision.reason, Catch::Contains(action));

    auto other = decide_webhook("issues", R"({"action": "opened", "issue": {"number": 1}})");
    CHECK(other.kind == Kind::ignore);
    CHECK_THAT(other.reason, Catch::Contains("issues"));
}

TEST_CASE("a pull request without its head commit is a bad request") {
    std::string body =
        replaced(pull_request_payload("opened"), "\"sha\": \"" + std::string(kHeadSha) + "\",", "");
    REQUIRE(body.find(kHeadSha) == std::string::npos);
    CHECK(decide_webhook("pull_request", body).kind == Kind::bad_request);
}

TEST_CASE("a repository full_name that is not a GitHub owner/name is a bad request") {
    for (const char* full_name :
         {"Codertocat/../../user/keys", "Codertocat/..", "../Hello-World", "Codertocat/x?y=1",
          "Codertocat/x#y", "Codertocat", "Codertocat/a b"}) {
        INFO(full_name);
        const std::string body = replaced(push_payload("refs/heads/main", kAfter),
                                          "\"full_name\": \"Codertocat/Hello-World\"",
                                          "\"full_name\": \"" + std::string(full_name) + "\"");
        REQUIRE(body.find(full_name) != std::string::npos);
        auto decision = decide_webhook("push", body);
        CHECK(decision.kind == Kind::bad_request);
        CHECK_THAT(decision.reason, Catch::Contains("full_name"));
    }
}

TEST_CASE("a pull request's number is read from the payload, for CIRCLE_PR_NUMBER") {
    auto decision = decide_webhook("pull_request", pull_request_payload("opened"));
    REQUIRE(decision.kind == Kind::run);
    CHECK(decision.pr_number == 2);

    // GitHub sends it twice; the pull request's own serves when the top one is missing.
    const std::string inner_only =
        replaced(pull_request_payload("synchronize"), "\"number\": 2,\n  \"pull_request\"",
                 "\"pull_request\"");
    REQUIRE(inner_only.find("\"number\": 2") != std::string::npos);
    auto from_inner = decide_webhook("pull_request", inner_only);
    REQUIRE(from_inner.kind == Kind::run);
    CHECK(from_inner.pr_number == 2);

    // A push has none.
    CHECK_FALSE(decide_webhook("push", push_payload("refs/heads/main", kAfter)).pr_number);
}

TEST_CASE("a pull request without a positive integer number is a bad request") {
    for (const char* number : {"\"2\"", "0", "-3", "2.5", "null"}) {
        INFO(number);
        const std::string body = replaced(pull_request_payload("opened"), "\"number\": 2",
                                          "\"number\": " + std::string(number));
        auto decision = decide_webhook("pull_request", body);
        CHECK(decision.kind == Kind::bad_request);
        CHECK_THAT(decision.reason, Catch::Contains("number"));
    }
}
