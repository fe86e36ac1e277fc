#include "coordinator/http/socket_deadlines.h"

#include <Poco/Exception.h>

#include <utility>
#include <vector>

namespace fmg::coordinator::http {

SocketDeadlines::Armed::Armed(Armed&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), id_(other.id_) {}

SocketDeadlines::Armed::~Armed() {
    if (owner_ != nullptr) owner_->disarm(id_);
}

SocketDeadlines::SocketDeadlines() : thread_([this] { run(); }) {}

SocketDeadlines::~SocketDeadlines() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_one();
    thread_.join();
}

SocketDeadlines::Armed SocketDeadlines::arm(const Poco::Net::StreamSocket& socket,
                                            TimePoint deadline) {
    std::lock_guard lock(mutex_);
    const uint64_t id = next_id_++;
    entries_.emplace(id, Entry{deadline, socket});
    changed_.notify_one();
    return Armed(this, id);
}

size_t SocketDeadlines::armed() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

void SocketDeadlines::disarm(uint64_t id) {
    std::lock_guard lock(mutex_);
    entries_.erase(id);
}

void SocketDeadlines::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        if (entries_.empty()) {
            changed_.wait(lock);
            continue;
        }
        // A handful of entries (at most one per worker): a scan is cheaper than an index.
        TimePoint earliest = TimePoint::max();
        for (const auto& [id, entry] : entries_) earliest = std::min(earliest, entry.deadline);
        if (std::chrono::steady_clock::now() < earliest) {
            changed_.wait_until(lock, earliest);
            continue;
        }
        const auto now = std::chrono::steady_clock::now();
        for (auto it = entries_.begin(); it != entries_.end();) {
            if (it->second.deadline > now) {
                ++it;
                continue;
            }
            try {
                it->second.socket.shutdownReceive();
            } catch (const Poco::Exception&) {
                // Already closed by the peer or the server: nothing left to stop.
            }
            it = entries_.erase(it);
        }
    }
}

}  // namespace fmg::coordinator::http
