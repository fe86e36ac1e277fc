// libFuzzer target for the GitHub webhook decoder (coordinator/http/webhook_events.h): the
// first byte picks the X-GitHub-Event header, the rest is the body, which no one but GitHub's
// signature vouches for. Every body must come back as a decision (never a crash, hang, leak or
// exception: the HTTP handler calls it as is), and the decision must keep its promises: a
// pipeline to run has every field the store and the GitHub statuses need.
// Seeds: tests/fuzz/corpus/webhook_events_fuzz (GitHub's payload shapes, after one byte).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "coordinator/github/names.h"
#include "coordinator/http/webhook_events.h"

namespace {

using fmg::coordinator::http::WebhookDecision;
using Kind = WebhookDecision::Kind;

// The low two bits pick the event; for "another event", the next bit picks a name fmg does not
// handle or a missing header.
std::string event_for(uint8_t selector) {
    switch (selector % 4) {
        case 0:
            return "push";
        case 1:
            return "pull_request";
        case 2:
            return "ping";
        default:
            return (selector & 4) != 0 ? "" : "issues";
    }
}

bool starts_with(const std::string& text, const std::string& prefix) {
    return text.compare(0, prefix.size(), prefix) == 0;
}

void check_run(const std::string& event, const WebhookDecision& decision) {
    namespace github = fmg::coordinator::github;
    // Only push and pull_request start pipelines, and say which of them did.
    if (decision.trigger != event || (event != "push" && event != "pull_request")) {
        __builtin_trap();
    }
    // The repository goes into GitHub API paths, the sha into a fetch and a status.
    if (!github::is_full_name(decision.repo) || decision.repo_url.empty()) __builtin_trap();
    if (!github::is_commit_sha(decision.sha)) __builtin_trap();
    if (!starts_with(decision.ref, "refs/heads/") && !starts_with(decision.ref, "refs/tags/")) {
        __builtin_trap();
    }
    // A pull request has its number (CIRCLE_PR_NUMBER); a push has none and is never a fork.
    if (event == "pull_request" && !(decision.pr_number && *decision.pr_number > 0)) {
        __builtin_trap();
    }
    if (event == "push" && (decision.pr_number || decision.from_fork)) __builtin_trap();
    // A named fork is a fork, under a GitHub name; a deleted one has no name.
    if (!decision.fork_repo.empty() &&
        (!decision.from_fork || !github::is_full_name(decision.fork_repo))) {
        __builtin_trap();
    }
    // Approval: strangers' code waits, unless its base repository trusts forks.
    const bool held = fmg::coordinator::http::needs_approval(decision, {});
    if (held != decision.from_fork) __builtin_trap();
    if (fmg::coordinator::http::needs_approval(decision, {decision.repo})) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string event = event_for(data[0]);
    const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
    const WebhookDecision decision = fmg::coordinator::http::decide_webhook(event, body);
    switch (decision.kind) {
        case Kind::run:
            check_run(event, decision);
            break;
        case Kind::pong:
            if (event != "ping") __builtin_trap();
            break;
        case Kind::ignore:
        case Kind::bad_request:
            // The reason is the answer's body and the log line: never empty.
            if (decision.reason.empty()) __builtin_trap();
            break;
    }
    // A ping is answered, or refused when its body is no JSON object: never run or ignored.
    if (event == "ping" && decision.kind != Kind::pong && decision.kind != Kind::bad_request) {
        __builtin_trap();
    }
    return 0;
}
