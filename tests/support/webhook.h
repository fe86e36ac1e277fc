#pragma once
// GitHub webhook deliveries as GitHub sends them: realistic payloads, HMAC signatures and
// delivery ids, so the coordinator is tested against the real wire format.

#include <cstdint>
#include <string>
#include <string_view>

namespace fmg::testing {

/// The `X-Hub-Signature-256` value for `body`: "sha256=" + hex HMAC-SHA256(secret, body).
/// Computed here with OpenSSL directly, independently of the code under test.
std::string sign_webhook(std::string_view secret, std::string_view body);

/// A fresh random (version 4) UUID, as GitHub uses for `X-GitHub-Delivery`.
std::string new_delivery_id();

/// What a push delivery is about.
struct PushEvent {
    std::string owner = "octo";
    std::string name = "demo";
    std::string clone_url;  // where the coordinator fetches from, e.g. a file:// test repo
    std::string ref = "refs/heads/main";
    std::string before = std::string(40, '0');  // all zeros: the branch was created
    std::string after;                          // the pushed commit
    std::string message = "Add CI config";
    bool deleted = false;

    std::string full_name() const { return owner + "/" + name; }
};

/// A `push` payload with the fields GitHub sends (ref, before, after, created, deleted,
/// forced, compare, commits, head_commit, repository, pusher, sender).
std::string push_payload(const PushEvent& event);

/// What a pull_request delivery is about. The head repository is the base's own for a
/// branch of the same repository, another one (a fork) for a stranger's pull request.
struct PullRequestEvent {
    std::string action = "opened";  // opened, synchronize, reopened, closed, ...
    int64_t number = 7;
    std::string base_owner = "octo";
    std::string base_name = "demo";
    std::string base_clone_url;  // e.g. a file:// test repo
    std::string base_ref = "main";
    std::string head_owner = "octo";  // differs from base_owner for a fork
    std::string head_name = "demo";
    std::string head_clone_url;  // where the head commit is; the base's for its own branch
    bool head_deleted = false;   // the fork was deleted: GitHub sends head.repo null
    std::string head_ref = "feature";
    std::string head_sha;
    std::string base_sha = std::string(40, 'b');
    std::string user = "octocat";  // who opened it (the fork's owner, for a fork)

    std::string base_full_name() const { return base_owner + "/" + base_name; }
    std::string head_full_name() const { return head_owner + "/" + head_name; }
    bool from_fork() const { return head_full_name() != base_full_name(); }
};

/// A `pull_request` payload with the fields GitHub sends (action, number, pull_request with
/// head and base, each with its repo, repository, sender); a fork's head repo says
/// `"fork": true`.
std::string pull_request_payload(const PullRequestEvent& event);

/// A `ping` payload, as GitHub sends when a hook is created.
std::string ping_payload(const std::string& owner, const std::string& name);

}  // namespace fmg::testing
