#pragma once
// GitHub's rate limits, read from its answer to a status post. A client that hits one must stop
// every request for a while (GitHub's "Best practices for using the REST API"): until
// `retry-after` seconds have passed when that header is present; else, when
// `x-ratelimit-remaining` is 0, until `x-ratelimit-reset` (UTC epoch seconds); else, for a
// rate-limit answer carrying neither, at least a minute. Retrying each status on its own
// backoff instead would keep posting the others, and GitHub may then block the token.

#include <cstdint>
#include <optional>
#include <string>

namespace fmg::coordinator {

/// The parts of an answer that tell a rate limit.
struct GitHubAnswer {
    int status = 0;                          // HTTP status
    std::optional<std::string> retry_after;  // header values as sent, when present
    std::optional<std::string> remaining;    // x-ratelimit-remaining
    std::optional<std::string> reset;        // x-ratelimit-reset
    std::string body;
};

/// When requests may start again (wall-clock ms), or nullopt when the answer is not a rate
/// limit: only 403 and 429 can be one, and a 403 that neither carries the headers nor says
/// "rate limit" is an ordinary refusal (a token without access to the repository).
std::optional<int64_t> rate_limited_until(const GitHubAnswer& answer, int64_t now_ms);

}  // namespace fmg::coordinator
