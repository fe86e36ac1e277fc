#pragma once
// Limits of pipeline preparation: how many fetches run at once and how long a repository
// server may keep one waiting (docs/security.md, "Values that reach URLs, repository
// fetches, credentials").

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace fmg::coordinator {

/// Pipelines prepared at once, each on its own thread. A repository server that hangs holds
/// one of them until --fetch-timeout; the others go on preparing other repositories.
constexpr std::size_t kPreparerThreads = 4;

/// --fetch-timeout's default: how long a repository server may take to answer, and how long
/// it may then send nothing during the transfer, before the fetch is stopped and the
/// pipeline ends in `error`. A hung server otherwise holds a preparer thread (and that
/// repository's mirror lock) until the kernel gives up on the connection.
constexpr int64_t kDefaultFetchTimeoutMs = 60'000;
constexpr int64_t kMinFetchTimeoutMs = 100;
constexpr int64_t kMaxFetchTimeoutMs = 3'600'000;

/// The longest a whole fetch may take, however steadily the server sends: a server that
/// trickles a byte now and then never trips --fetch-timeout.
constexpr std::chrono::minutes kMaxFetchDuration{30};

}  // namespace fmg::coordinator
