#pragma once
// Flow control for one attempt's output (PROTOCOL.md 9.6): the job runner's thread passes
// each piece of step output through the gate before posting it to the link, and waits
// there while too much of it is still held in the agent's memory. The step then blocks on
// its own pipe, as it would writing to a slow terminal. Without it a step printing faster
// than the coordinator stores would fill the agent's memory and its socket's send queue
// (where frames are dropped, heartbeats among them).
//
// What counts as held: output posted but not yet acknowledged by the coordinator or written
// to the spool. The runner adds to `posted`; the link publishes `released`, the bytes of
// the attempt's log that are acknowledged or spooled. While the agent has no session with a
// coordinator the gate is unmetered: output goes to memory and then to the spool, so a step
// never waits for a network that may not come back.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace fmg::agent {

/// How much of one attempt's output may be held in memory while a coordinator is connected:
/// half the memory bound (kLogMemoryBound), so a connected agent never spools, and enough
/// in flight for hundreds of MiB/s at loopback round trips.
constexpr size_t kOutputWindowBytes = 4 * 1024 * 1024;

class OutputGate {
  public:
    explicit OutputGate(size_t window = kOutputWindowBytes) : window_(window) {}

    /// Runner thread: waits while the gate is metered and `window` bytes or more are held,
    /// then counts `bytes` as posted. Returns at once once the gate is opened for good.
    void pass(size_t bytes);
    /// Link thread: the attempt's output acknowledged or spooled so far (monotonic; a
    /// smaller value is ignored).
    void release_through(uint64_t released);
    /// Link thread: meter while a coordinator session is up; unmetered otherwise.
    void set_metered(bool metered);
    /// Lets every present and future pass() through (the job is being stopped).
    void open_for_good();

    /// Bytes posted and not yet released.
    uint64_t held() const;
    /// Whether a pass() now would wait; a waiting one keeps waiting while this holds.
    bool would_wait() const;
    /// How many pass() calls are waiting.
    size_t waiting() const;

  private:
    bool closed() const;  // would_wait(), with mutex_ held

    const size_t window_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    uint64_t posted_ = 0;
    uint64_t released_ = 0;
    bool metered_ = true;
    bool open_ = false;
    size_t waiting_ = 0;
};

}  // namespace fmg::agent
