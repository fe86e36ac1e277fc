#pragma once
// One attempt's log on the agent side: output is batched (a chunk every 50 ms or 64 KiB) into
// numbered chunks that are kept until the coordinator acknowledges them, and sent again after
// a reconnect (principles: nothing accepted is lost). Unacknowledged chunks stay in memory up to
// kLogMemoryBound; past it the oldest go to a spool file on disk (log_spool.h), so a chatty
// step cut off from its coordinator cannot grow the agent without bound.

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "agent/link/log_spool.h"
#include "protocol/messages.h"
#include "shared/clock.h"

namespace fmg::agent {

/// How long output may wait to be batched, and how much makes a chunk at once.
constexpr Millis kLogBatchDelay{50};
constexpr size_t kLogBatchBytes = 64 * 1024;

/// How much memory one attempt's unacknowledged chunks may take before the oldest are spooled
/// to disk. Per attempt, not per agent: each attempt's log is independent (a shared budget
/// would let one chatty step push a quiet one's few chunks to disk, and would tie the
/// attempts' lifetimes together), and an agent runs --capacity attempts at once, a number the
/// operator chose for the host, so the agent's total stays bounded at capacity x 8 MiB. It
/// holds 8 full 1 MiB protocol chunks, or minutes of a busy build's output: a coordinator
/// that acknowledges as it should never lets it fill.
constexpr size_t kLogMemoryBound = 8 * 1024 * 1024;

class AttemptLog {
  public:
    /// `spool_dir`: where chunks past `memory_bound` are spooled (created when first needed;
    /// the link passes spool_directory(WORK_DIR)).
    AttemptLog(protocol::AttemptId attempt, std::filesystem::path spool_dir,
               size_t memory_bound = kLogMemoryBound);

    /// Adds output to the batch being filled.
    void append(std::string_view bytes, SteadyTime now);
    /// When the batch must be sent at the latest; nullopt when it is empty.
    std::optional<SteadyTime> flush_deadline() const;
    /// Whether the batch should become a chunk now.
    bool flush_due(SteadyTime now) const;
    /// Turns the batch into the next numbered chunk, kept until acknowledged, and returns it;
    /// nullopt when there is nothing to send. When the kept chunks pass the memory bound, the
    /// oldest are written to the spool; if that fails they stay in memory (a warning is
    /// logged, once until spooling works again) and nothing is lost.
    std::optional<protocol::Log> take_chunk();
    /// Forgets chunks up to and including `seq`, in memory and in the spool; the spool file
    /// is removed once none of its chunks is left. A spool that cannot be read is logged and
    /// its chunks are kept.
    void ack(uint64_t seq);

    /// Passes the oldest `max_chunks` unacknowledged chunks (default: all) to `send`, each
    /// once, in sequence order: the spooled ones (read back from disk, one at a time) and
    /// then those in memory. Fails when the spool cannot be read back; `send` has then had
    /// the chunks before the unreadable one, and none after it (a gap would only make the
    /// coordinator wait).
    Status resend(const std::function<void(const protocol::Log&)>& send,
                  size_t max_chunks = SIZE_MAX) const;

    protocol::AttemptId attempt_id() const { return attempt_; }
    uint64_t last_seq() const { return next_seq_ - 1; }
    uint64_t acked_seq() const { return acked_seq_; }
    /// Unacknowledged chunks, in memory and spooled, and their data bytes.
    size_t unacked_count() const;
    size_t unacked_bytes() const;
    /// What the unacknowledged chunks in memory take (data and per-chunk bookkeeping); at most
    /// the memory bound unless spooling failed.
    size_t memory_bytes() const { return memory_bytes_; }
    /// How many unacknowledged chunks are on disk.
    size_t spooled_count() const { return spool_ ? spool_->count() : 0; }
    /// Of all output appended, the bytes no longer held in memory: acknowledged or spooled.
    /// Never decreases; what the attempt's OutputGate is released through.
    uint64_t released_bytes() const {
        return appended_bytes_ - (pending_.size() - pending_taken_) - memory_data_bytes_;
    }

  private:
    // Moves the oldest chunks in memory to the spool until memory is within the bound.
    void spool_overflow();
    void warn_spool_failure(const std::string& message);

    protocol::AttemptId attempt_;
    std::filesystem::path spool_dir_;
    size_t memory_bound_;
    // Output not yet made into chunks: pending_ from pending_taken_ on. A backlog is cut into
    // chunks by moving that offset, not by erasing the front (quadratic on a big backlog).
    std::string pending_;
    size_t pending_taken_ = 0;
    SteadyTime pending_since_{};
    uint64_t appended_bytes_ = 0;
    uint64_t next_seq_ = 1;
    uint64_t acked_seq_ = 0;
    // Unacknowledged chunks: the spool holds the oldest, a contiguous run of seqs; memory the
    // ones after them. Null while nothing is spooled (there is no file then).
    std::unique_ptr<LogSpool> spool_;
    std::deque<protocol::Log> memory_;
    size_t memory_bytes_ = 0;
    size_t memory_data_bytes_ = 0;
    bool spool_failing_ = false;  // a failure was logged and spooling has not worked since
};

}  // namespace fmg::agent
