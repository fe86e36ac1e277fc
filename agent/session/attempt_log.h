#pragma once
// One attempt's log on the agent side: output is batched (a chunk every 50 ms or 64 KiB) into
// numbered chunks that are kept until the coordinator acknowledges them, and sent again after
// a reconnect (DESIGN "Nothing accepted is lost").

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/messages.h"
#include "shared/clock.h"

namespace fmg::agent {

/// How long output may wait to be batched, and how much makes a chunk at once.
constexpr Millis kLogBatchDelay{50};
constexpr size_t kLogBatchBytes = 64 * 1024;

class AttemptLog {
  public:
    explicit AttemptLog(protocol::AttemptId attempt) : attempt_(attempt) {}

    /// Adds output to the batch being filled.
    void append(std::string_view bytes, SteadyTime now);
    /// When the batch must be sent at the latest; nullopt when it is empty.
    std::optional<SteadyTime> flush_deadline() const;
    /// Whether the batch should become a chunk now.
    bool flush_due(SteadyTime now) const;
    /// Turns the batch into the next numbered chunk, kept until acknowledged, and returns it;
    /// nullopt when there is nothing to send.
    std::optional<protocol::Log> take_chunk();
    /// Forgets chunks up to and including `seq`.
    void ack(uint64_t seq);

    const std::deque<protocol::Log>& unacked() const { return unacked_; }
    uint64_t last_seq() const { return next_seq_ - 1; }
    uint64_t acked_seq() const { return acked_seq_; }
    size_t unacked_bytes() const { return unacked_bytes_; }

  private:
    protocol::AttemptId attempt_;
    std::string pending_;
    SteadyTime pending_since_{};
    uint64_t next_seq_ = 1;
    uint64_t acked_seq_ = 0;
    std::deque<protocol::Log> unacked_;
    size_t unacked_bytes_ = 0;
};

}  // namespace fmg::agent
