#pragma once
// GitHub webhook deliveries as GitHub sends them: realistic payloads, HMAC signatures and
// delivery ids, so the coordinator is tested against the real wire format.

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

/// A `ping` payload, as GitHub sends when a hook is created.
std::string ping_payload(const std::string& owner, const std::string& name);

}  // namespace fmg::testing
