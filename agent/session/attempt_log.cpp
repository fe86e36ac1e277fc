#include "agent/session/attempt_log.h"

namespace fmg::agent {

void AttemptLog::append(std::string_view bytes, SteadyTime now) {
    if (bytes.empty()) return;
    if (pending_.empty()) pending_since_ = now;
    pending_.append(bytes);
}

std::optional<SteadyTime> AttemptLog::flush_deadline() const {
    if (pending_.empty()) return std::nullopt;
    return pending_since_ + kLogBatchDelay;
}

bool AttemptLog::flush_due(SteadyTime now) const {
    return !pending_.empty() &&
           (pending_.size() >= kLogBatchBytes || now >= pending_since_ + kLogBatchDelay);
}

std::optional<protocol::Log> AttemptLog::take_chunk() {
    if (pending_.empty()) return std::nullopt;
    protocol::Log chunk;
    chunk.attempt_id = attempt_;
    chunk.seq = next_seq_++;
    size_t size = std::min(pending_.size(), protocol::kMaxLogChunkBytes);
    chunk.data = pending_.substr(0, size);
    pending_.erase(0, size);
    unacked_bytes_ += chunk.data.size();
    unacked_.push_back(chunk);
    return chunk;
}

void AttemptLog::ack(uint64_t seq) {
    while (!unacked_.empty() && unacked_.front().seq <= seq) {
        unacked_bytes_ -= unacked_.front().data.size();
        unacked_.pop_front();
    }
    if (seq > acked_seq_) acked_seq_ = std::min(seq, last_seq());
}

}  // namespace fmg::agent
