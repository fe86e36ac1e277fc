#pragma once
// The coordinator's fixed limits and timings.

#include <chrono>
#include <cstddef>

namespace fmg::coordinator {

/// GitHub caps webhook payloads at 25 MB; anything larger is refused with 413 (SPEC).
constexpr size_t kMaxWebhookBytes = 25 * 1024 * 1024;
/// Bodies of /api/v1 requests are small JSON documents.
constexpr size_t kMaxApiBodyBytes = 1024 * 1024;
/// GitHub truncates status descriptions beyond 140 characters.
constexpr size_t kMaxStatusDescription = 140;
/// The least time an agent gets to answer an `assign` with `accepted` or `refused` before the
/// attempt is lost and its job requeued (coordinator/core/assign_timeouts.h: the timeout is
/// the agent timeout, never less than this). Without it an agent that drops an assign holds
/// the runner slot until --job-timeout.
constexpr std::chrono::milliseconds kMinAssignTimeout{10'000};
/// Jobs considered per scheduling pass; more wait for the next pass.
constexpr int64_t kDispatchBatch = 256;
/// Status posts: first retry after this, doubling up to the cap.
constexpr std::chrono::milliseconds kStatusRetryInitial{1000};
constexpr std::chrono::milliseconds kStatusRetryMax{std::chrono::minutes(10)};
/// How long the status sender keeps an idle connection to GitHub for the next post. A server
/// that closes it sooner costs one immediate retry on a new connection.
constexpr std::chrono::seconds kStatusKeepAlive{30};
/// How long every status post waits after GitHub refused one for a rate limit without saying
/// until when (GitHub asks for at least a minute; coordinator/github/rate_limit.h).
constexpr std::chrono::seconds kRateLimitPause{60};
/// A follower of a live log re-checks the job's state at least this often, in case a
/// wake-up was missed (the normal path is woken by the writer).
constexpr std::chrono::milliseconds kLogFollowRecheck{1000};

}  // namespace fmg::coordinator
