#include "coordinator/github/rate_limit.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "coordinator/constants.h"

namespace fmg::coordinator {
namespace {

// A whole non-negative number of seconds, as GitHub sends both headers.
std::optional<int64_t> seconds_in(const std::optional<std::string>& header) {
    if (!header) return std::nullopt;
    int64_t value = -1;
    const char* end = header->data() + header->size();
    auto [rest, error] = std::from_chars(header->data(), end, value);
    if (error != std::errc() || rest != end || value < 0) return std::nullopt;
    return value;
}

bool mentions_rate_limit(std::string body) {
    std::transform(body.begin(), body.end(), body.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return body.find("rate limit") != std::string::npos;
}

}  // namespace

std::optional<int64_t> rate_limited_until(const GitHubAnswer& answer, int64_t now_ms) {
    if (answer.status != 403 && answer.status != 429) return std::nullopt;
    if (auto wait = seconds_in(answer.retry_after)) return now_ms + *wait * 1000;
    if (answer.remaining == "0") {
        if (auto reset = seconds_in(answer.reset)) return std::max(now_ms, *reset * 1000);
    }
    if (answer.status == 429 || mentions_rate_limit(answer.body) || answer.remaining == "0") {
        return now_ms + std::chrono::milliseconds(kRateLimitPause).count();
    }
    return std::nullopt;
}

}  // namespace fmg::coordinator
