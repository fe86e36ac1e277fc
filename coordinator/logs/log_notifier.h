#pragma once
// Wakes followers of live logs when any log grows or a job ends, so `fmg logs --follow`
// sees new bytes at once instead of polling.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace fmg::coordinator {

class LogNotifier {
  public:
    /// Called by the writer after appending, or after a job ended.
    void notify() {
        {
            std::lock_guard lock(mutex_);
            ++version_;
        }
        changed_.notify_all();
    }

    uint64_t version() const {
        std::lock_guard lock(mutex_);
        return version_;
    }

    /// Blocks until the version differs from `seen` or the timeout passes; returns the
    /// current version.
    uint64_t wait_for_change(uint64_t seen, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, timeout, [&] { return version_ != seen; });
        return version_;
    }

  private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    uint64_t version_ = 0;
};

}  // namespace fmg::coordinator
