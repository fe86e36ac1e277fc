#pragma once
// A queue another thread posts to and an event loop drains, with an eventfd the loop polls
// (principles: one writer per process: other threads only wake the loop, they never touch its
// state).

#include <sys/eventfd.h>
#include <unistd.h>

#include <deque>
#include <mutex>
#include <stdexcept>
#include <utility>

namespace fmg {

template <typename T>
class Mailbox {
  public:
    Mailbox() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
        if (fd_ < 0) throw std::runtime_error("eventfd failed");
    }
    ~Mailbox() { ::close(fd_); }
    Mailbox(const Mailbox&) = delete;
    Mailbox& operator=(const Mailbox&) = delete;

    /// Queues an item and wakes the loop. Thread-safe.
    void post(T item) {
        {
            std::lock_guard lock(mutex_);
            items_.push_back(std::move(item));
        }
        uint64_t one = 1;
        ssize_t ignored = ::write(fd_, &one, sizeof one);
        (void)ignored;
    }

    /// Takes every queued item (the loop calls this when fd() is readable).
    std::deque<T> take_all() {
        uint64_t count = 0;
        ssize_t ignored = ::read(fd_, &count, sizeof count);
        (void)ignored;
        std::lock_guard lock(mutex_);
        return std::exchange(items_, {});
    }

    /// Readable while items wait; poll it with zmq_poll or poll(2).
    int fd() const { return fd_; }

  private:
    int fd_;
    std::mutex mutex_;
    std::deque<T> items_;
};

}  // namespace fmg
