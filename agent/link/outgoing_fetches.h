#pragma once
// The blobs the agent's jobs are fetching from the coordinator (PROTOCOL.md 11: fetch and
// fetch_data), owned by the link's event loop: each is asked for in 1 MiB ranges, at most a
// window of them outstanding, written where they belong in the runner's spool file as they
// come, asked for again after a reconnect or when answers stall. The runner waits on the
// promise, then checks the file's digest itself.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "protocol/messages.h"
#include "shared/clock.h"
#include "shared/result.h"

namespace fmg::agent {

/// Ranges asked for at once, of kFetchChunkBytes each.
inline constexpr uint64_t kFetchWindowChunks = 4;
inline constexpr uint32_t kFetchChunkBytes = 1024 * 1024;

/// What a job runner asks the link to fetch; `done` gets the blob's size, or why not.
struct FetchRequest {
    protocol::AttemptId attempt_id = 0;
    uint64_t fetch_id = 0;
    std::string sha256;
    std::filesystem::path file;  // written by the link, read by the runner once `done` is set
    std::shared_ptr<std::promise<Result<uint64_t>>> done;
};

class OutgoingFetches {
  public:
    using Send = std::function<void(const protocol::AgentMessage&)>;

    ~OutgoingFetches();

    /// Takes a fetch and, when `connected`, asks for its first range.
    void start(FetchRequest request, bool connected, const Send& send, SteadyTime now);
    void on_data(const protocol::FetchData& data, const Send& send, SteadyTime now);
    /// After a welcome: every outstanding range is asked for again.
    void resend_all(const Send& send, SteadyTime now);
    /// Fetches without an answer for `timeout` ask again.
    void resend_stalled(const Send& send, SteadyTime now, Millis timeout);
    /// Ends the attempt's fetches with `why`.
    void abandon_attempt(protocol::AttemptId attempt, const std::string& why);

  private:
    struct Pending {
        FetchRequest request;
        int fd = -1;
        std::optional<uint64_t> size;    // known from the first answer
        uint64_t next_chunk = 0;         // the next range not yet asked for
        std::set<uint64_t> outstanding;  // ranges asked for, not yet answered
        uint64_t received_chunks = 0;
        SteadyTime progress_at{};
    };
    using Key = std::pair<protocol::AttemptId, uint64_t>;

    void ask(Pending& fetch, uint64_t chunk, const Send& send);
    /// Asks for more ranges up to the window (only the first until the size is known).
    void fill_window(Pending& fetch, const Send& send);
    void finish(std::map<Key, Pending>::iterator it, Result<uint64_t> outcome);

    std::map<Key, Pending> fetches_;
};

}  // namespace fmg::agent
