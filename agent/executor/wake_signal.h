#pragma once
// A one-way, sticky wake-up for a thread blocked in poll(): another thread calls signal(),
// the poller sees fd() readable from then on (an eventfd that is never drained).

namespace fmg::agent {

class WakeSignal {
  public:
    /// Creates the eventfd; throws std::system_error when the process is out of descriptors
    /// (a start-up class failure, not an expected one).
    WakeSignal();
    ~WakeSignal();
    WakeSignal(const WakeSignal&) = delete;
    WakeSignal& operator=(const WakeSignal&) = delete;

    /// Makes fd() readable. Thread-safe and async-signal-safe.
    void signal();

    /// The descriptor to poll for POLLIN.
    int fd() const { return fd_; }

  private:
    int fd_;
};

}  // namespace fmg::agent
