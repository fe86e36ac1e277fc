// Which GitHub answers are rate limits, and until when every status post must wait.

#include <catch2/catch.hpp>

#include "coordinator/github/rate_limit.h"

using namespace fmg::coordinator;

namespace {

constexpr int64_t kNow = 1'700'000'000'000;  // wall ms

GitHubAnswer answer(int status, std::string body = "{}") {
    GitHubAnswer a;
    a.status = status;
    a.body = std::move(body);
    return a;
}

}  // namespace

TEST_CASE("rate limit: retry-after says how many seconds to wait") {
    GitHubAnswer limited = answer(403, R"({"message":"You have exceeded a secondary rate limit"})");
    limited.retry_after = "30";
    CHECK(rate_limited_until(limited, kNow) == kNow + 30'000);
    limited.status = 429;
    CHECK(rate_limited_until(limited, kNow) == kNow + 30'000);
}

TEST_CASE("rate limit: an exhausted quota waits for x-ratelimit-reset") {
    GitHubAnswer limited = answer(403, R"({"message":"API rate limit exceeded"})");
    limited.remaining = "0";
    limited.reset = "1700000042";  // UTC epoch seconds
    CHECK(rate_limited_until(limited, kNow) == 1'700'000'042'000);
    // A reset already past (clocks differ) does not wait into the past.
    limited.reset = "1699999990";
    CHECK(rate_limited_until(limited, kNow) == kNow);
    // retry-after wins when both are sent.
    limited.retry_after = "5";
    CHECK(rate_limited_until(limited, kNow) == kNow + 5'000);
}

TEST_CASE("rate limit: without a time, at least a minute") {
    CHECK(rate_limited_until(answer(429), kNow) == kNow + 60'000);
    CHECK(rate_limited_until(
              answer(403, R"({"message":"You have exceeded a secondary Rate Limit"})"), kNow) ==
          kNow + 60'000);
    GitHubAnswer unreadable = answer(403, R"({"message":"API rate limit exceeded"})");
    unreadable.retry_after = "soon";
    unreadable.remaining = "0";
    unreadable.reset = "later";
    CHECK(rate_limited_until(unreadable, kNow) == kNow + 60'000);
}

TEST_CASE("rate limit: other answers are ordinary failures") {
    // A token without access to the repository: 403, no rate-limit words or headers.
    CHECK_FALSE(rate_limited_until(answer(403, R"({"message":"Resource not accessible"})"), kNow));
    CHECK_FALSE(rate_limited_until(answer(502, "Bad Gateway"), kNow));
    CHECK_FALSE(rate_limited_until(answer(422, R"({"message":"Validation Failed"})"), kNow));
    GitHubAnswer with_quota_left = answer(403, R"({"message":"Must have admin rights"})");
    with_quota_left.remaining = "4999";
    with_quota_left.reset = "1700000042";
    CHECK_FALSE(rate_limited_until(with_quota_left, kNow));
    // retry-after on an answer that is not 403 or 429 (a 503) is left to the usual backoff.
    GitHubAnswer unavailable = answer(503);
    unavailable.retry_after = "120";
    CHECK_FALSE(rate_limited_until(unavailable, kNow));
}
