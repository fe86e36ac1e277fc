#pragma once
// What a GitHub delivery asks of fmg (SPEC "Webhooks"), decided from the event name and the
// JSON body alone, after the signature was checked.

#include <string>

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
};

/// Decides what to do with a delivery of `event` (the X-GitHub-Event header).
WebhookDecision decide_webhook(const std::string& event, const std::string& body);

}  // namespace fmg::coordinator::http
