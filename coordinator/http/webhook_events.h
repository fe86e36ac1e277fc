#pragma once
// What a GitHub delivery asks of fmg (SPEC "Webhooks"), decided from the event name and the
// JSON body alone, after the signature was checked.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fmg::coordinator::http {

struct WebhookDecision {
    enum class Kind {
        run,          // start a pipeline for the fields below
        pong,         // a ping
        ignore,       // a valid event fmg does not act on; `reason` says why
        bad_request,  // not JSON or a field the event needs is missing; `reason` says which
    };
    Kind kind = Kind::ignore;
    std::string reason;
    std::string repo;      // owner/name
    std::string repo_url;  // where to fetch from
    std::string ref;       // refs/heads/BRANCH or refs/tags/TAG
    std::string sha;
    std::string trigger;  // push or pull_request
    // A pull request whose head repository is not the base repository: strangers' code.
    bool from_fork = false;
    std::string fork_repo;             // the head repository (owner/name); empty for a deleted fork
    std::optional<int64_t> pr_number;  // a pull_request's number
};

/// Decides what to do with a delivery of `event` (the X-GitHub-Event header). A
/// pull_request is from a fork when pull_request.head.repo.full_name differs from
/// pull_request.base.repo.full_name, or head.repo is null (the fork was deleted). Its head
/// clone URL must be on the base repository's host and name the head repository, or the
/// delivery is a bad request: a payload never points the coordinator at another server. A
/// pull_request's number is the payload's `number` (or `pull_request.number`): a positive
/// integer, or the delivery is a bad request.
WebhookDecision decide_webhook(const std::string& event, const std::string& body);

/// Whether a pipeline for `decision` must wait for approval before any job runs: a pull
/// request from a fork, unless its base repository is in `trusted_repos` (--trust-forks).
bool needs_approval(const WebhookDecision& decision, const std::vector<std::string>& trusted_repos);

}  // namespace fmg::coordinator::http
