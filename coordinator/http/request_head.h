#pragma once
// Reads a request head from the bytes a client has sent so far, as the gate (http/gate.h)
// sees them by peeking: is it complete, how long is it, how much body follows, and where does
// the request go. Poco parses the request again in the worker; this only decides when and
// where to hand it over, so it reads no more than the request line and Content-Length.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace fmg::coordinator::http {

enum class HeadState {
    incomplete,  // no blank line yet: wait for more
    complete,    // the head ends within the bytes
    too_large,   // no end within the allowed size: 431
    malformed,   // not a request line: 400
};

/// Where a complete request goes.
enum class Route {
    healthz,   // GET /healthz: the gate answers it itself
    follower,  // GET .../jobs/NAME/log with follow=1|true, or an artifact download: the
               // follower pool (long responses)
    worker,    // everything else: the worker pool
};

struct RequestHead {
    HeadState state = HeadState::incomplete;
    size_t head_bytes = 0;  // up to and including the blank line
    std::string method;
    std::string target;  // as sent: path and query
    /// The declared body length; nullopt when absent, unparsable or chunked (then the
    /// worker reads the body as it comes).
    std::optional<size_t> content_length;
    /// `Expect: 100-continue`: the client waits for "100 Continue" before sending its body.
    bool expects_continue = false;
    /// The value of `X-Hub-Signature-256`, empty when absent.
    std::string webhook_signature;
};

/// Scans `bytes` (the start of what a client sent) for a request head of at most `max_head`
/// bytes. Never throws; a head it cannot read is `malformed`.
RequestHead scan_request_head(std::string_view bytes, size_t max_head);

/// Where a complete request goes, from its method and target.
Route route_of(const RequestHead& head);

/// Whether the worker answers this request without reading its body, so the gate must not
/// wait for the body (a client may wait for the answer before it sends one): a webhook whose
/// `X-Hub-Signature-256` is missing or malformed, or whose Content-Length is over
/// kMaxWebhookBytes, or any webhook when no secret is configured (`webhook_secret_set`
/// false). webhook_handler.cpp refuses each of them unread (401 or 413).
bool answered_before_body(const RequestHead& head, bool webhook_secret_set);

/// True when a query parameter `follow` asks to follow a live log ("1" or "true"): the log
/// API and the gate decide with the same rule.
bool is_follow_value(const std::string& value);

/// This thread serves followers (set by the follower pool for its threads): the log API only
/// follows a log there, so a follower can never hold a worker thread.
bool on_follower_thread();
void set_on_follower_thread(bool value);

}  // namespace fmg::coordinator::http
