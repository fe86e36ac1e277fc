#include "agent/link/attempt_log.h"

#include "shared/log.h"

namespace fmg::agent {
namespace {

// What a chunk kept in memory costs: its bytes and its bookkeeping, so that a step printing a
// byte every 50 ms counts too.
size_t memory_cost(const protocol::Log& chunk) {
    return chunk.data.size() + sizeof(protocol::Log);
}

}  // namespace

AttemptLog::AttemptLog(protocol::AttemptId attempt, std::filesystem::path spool_dir,
                       size_t memory_bound)
    : attempt_(attempt), spool_dir_(std::move(spool_dir)), memory_bound_(memory_bound) {}

void AttemptLog::append(std::string_view bytes, SteadyTime now) {
    if (bytes.empty()) return;
    if (pending_.empty()) pending_since_ = now;
    pending_.append(bytes);
    appended_bytes_ += bytes.size();
}

std::optional<SteadyTime> AttemptLog::flush_deadline() const {
    if (pending_.empty()) return std::nullopt;
    return pending_since_ + kLogBatchDelay;
}

bool AttemptLog::flush_due(SteadyTime now) const {
    return !pending_.empty() && (pending_.size() - pending_taken_ >= kLogBatchBytes ||
                                 now >= pending_since_ + kLogBatchDelay);
}

std::optional<protocol::Log> AttemptLog::take_chunk() {
    if (pending_.empty()) return std::nullopt;
    protocol::Log chunk;
    chunk.attempt_id = attempt_;
    chunk.seq = next_seq_++;
    size_t size = std::min(pending_.size() - pending_taken_, protocol::kMaxLogChunkBytes);
    chunk.data = pending_.substr(pending_taken_, size);
    pending_taken_ += size;
    if (pending_taken_ == pending_.size()) {
        pending_.clear();
        pending_taken_ = 0;
    }
    memory_bytes_ += memory_cost(chunk);
    memory_data_bytes_ += chunk.data.size();
    memory_.push_back(chunk);
    spool_overflow();
    return chunk;
}

void AttemptLog::spool_overflow() {
    while (memory_bytes_ > memory_bound_ && !memory_.empty()) {
        if (!spool_) {
            auto created = LogSpool::create(spool_dir_, attempt_);
            if (!created) return warn_spool_failure(created.error().message);
            spool_ = std::move(*created);
        }
        const protocol::Log& oldest = memory_.front();
        if (auto spooled = spool_->append(oldest); !spooled) {
            return warn_spool_failure(spooled.error().message);
        }
        memory_bytes_ -= memory_cost(oldest);
        memory_data_bytes_ -= oldest.data.size();
        memory_.pop_front();
        if (spool_failing_) {
            FMG_LOG(info) << "attempt=" << attempt_ << " log spool works again ("
                          << spool_->path().string() << ")";
            spool_failing_ = false;
        }
    }
}

void AttemptLog::warn_spool_failure(const std::string& message) {
    // Retried at the next chunk; the chunks stay in memory meanwhile, so nothing is lost,
    // but memory grows past the bound: the operator must hear of it, once.
    if (spool_failing_) return;
    spool_failing_ = true;
    FMG_LOG(warn) << "attempt=" << attempt_ << " " << message
                  << "; keeping unacknowledged log chunks in memory past the "
                  << memory_bound_ / 1024 << " KiB bound";
}

void AttemptLog::ack(uint64_t seq) {
    if (spool_) {
        if (auto dropped = spool_->drop_through(seq); !dropped) {
            FMG_LOG(error) << "attempt=" << attempt_ << " " << dropped.error().message;
        } else if (spool_->empty()) {
            spool_.reset();  // removes the file
        }
    }
    // The spool holds only chunks older than memory's: while it still holds some, no chunk
    // in memory is acknowledged.
    while (!spool_ && !memory_.empty() && memory_.front().seq <= seq) {
        memory_bytes_ -= memory_cost(memory_.front());
        memory_data_bytes_ -= memory_.front().data.size();
        memory_.pop_front();
    }
    if (seq > acked_seq_) acked_seq_ = std::min(seq, last_seq());
}

Status AttemptLog::resend(const std::function<void(const protocol::Log&)>& send,
                          size_t max_chunks) const {
    size_t sent = 0;
    if (spool_) {
        auto counted = [&](const protocol::Log& chunk) {
            send(chunk);
            ++sent;
        };
        if (auto read = spool_->for_each(counted, max_chunks); !read) return read;
    }
    for (const protocol::Log& chunk : memory_) {
        if (sent >= max_chunks) break;
        send(chunk);
        ++sent;
    }
    return {};
}

size_t AttemptLog::unacked_count() const {
    return memory_.size() + spooled_count();
}

size_t AttemptLog::unacked_bytes() const {
    return memory_data_bytes_ + (spool_ ? spool_->data_bytes() : 0);
}

}  // namespace fmg::agent
