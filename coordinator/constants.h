#pragma once
// The coordinator's fixed limits and timings.

#include <chrono>
#include <cstddef>

namespace fmg::coordinator {

/// GitHub caps webhook payloads at 25 MB; anything larger is refused with 413 (SPEC).
constexpr size_t kMaxWebhookBytes = 25 * 1024 * 1024;
/// Bodies of /api/v1 requests are small JSON documents.
constexpr size_t kMaxApiBodyBytes = 1024 * 1024;
/// Memory all webhook bodies whose signature is not yet checked may hold together. Each
/// reserves its Content-Length (a chunked one, each piece) before it is read; past the budget
/// a delivery is answered 503 unread. Answers strangers who send many large unsigned bodies at
/// once to exhaust the coordinator's memory (32 of 25 MB took it to 1.15 GB). Room for two
/// 25 MB deliveries at once.
constexpr size_t kUnauthenticatedBodyBudget = 64 * 1024 * 1024;
/// The Retry-After of that 503, in seconds: a body takes well under this to arrive and be
/// checked, so the budget is free again by then unless the attack goes on.
constexpr int kBodyBudgetRetryAfterSeconds = 10;
/// Bodies are read in pieces of this size: each piece is one receive with its own timeout,
/// fed to the HMAC and appended to the buffer.
constexpr size_t kBodyPieceBytes = 64 * 1024;
/// A request body (webhook or API) must arrive within kBodyDeadlineFloor plus its length at
/// kBodyMinRate (its limit, when chunked), else 408 and the connection is closed. Answers
/// slow-body clients who hold a worker (and their share of kUnauthenticatedBodyBudget) by
/// trickling bytes. GitHub itself gives up on a delivery after 10 s (github.com) or 30 s
/// (GitHub Enterprise Server), so a body that arrives slower than this is not awaited by
/// anyone: a 25 MB webhook gets 60 s, a 1 MiB API body 12 s, a small body 10 s.
constexpr std::chrono::seconds kBodyDeadlineFloor{10};
constexpr size_t kBodyMinRate = 512 * 1024;  // bytes per second
/// GitHub truncates status descriptions beyond 140 characters.
constexpr size_t kMaxStatusDescription = 140;
/// The least time an agent gets to answer an `assign` with `accepted` or `refused` before the
/// attempt is lost and its job requeued (coordinator/agent_loop/assign_timeouts.h: the timeout is
/// the agent timeout, never less than this). Without it an agent that drops an assign holds
/// the runner slot until --job-timeout.
constexpr std::chrono::milliseconds kMinAssignTimeout{10'000};
/// Most queued jobs read at once by a scheduling pass (it reads on while it skips jobs no free
/// runner fits and slots stay free).
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
/// The largest JUnit file store_test_results may upload: the coordinator reads it in its
/// event loop when it is stored (about 0.1 s per 10 MiB).
constexpr uint64_t kMaxTestResultsBytes = 64 * 1024 * 1024;
/// How often the blob store is swept for files past their retention and blobs nothing refers
/// to (also once at start-up).
constexpr std::chrono::seconds kRetentionSweepInterval{60};

}  // namespace fmg::coordinator
