#pragma once
// Wakes followers of live logs when any log grows or a job ends, so `fmg logs --follow`
// sees new bytes at once instead of polling. At shutdown it wakes every follower for good, so
// they return before what they use is destroyed.

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

    /// Blocks until the version differs from `seen`, the timeout passes or shut_down() was
    /// called (then it returns at once); returns the current version.
    uint64_t wait_for_change(uint64_t seen, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, timeout, [&] { return version_ != seen || shut_down_; });
        return version_;
    }

    /// Wakes every waiter and makes every later wait return at once: followers see
    /// is_shut_down() and end their answers. Called when the coordinator stops.
    void shut_down() {
        {
            std::lock_guard lock(mutex_);
            shut_down_ = true;
        }
        changed_.notify_all();
    }

    bool is_shut_down() const {
        std::lock_guard lock(mutex_);
        return shut_down_;
    }

  private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    uint64_t version_ = 0;
    bool shut_down_ = false;
};

}  // namespace fmg::coordinator
