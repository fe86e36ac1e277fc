#pragma once
// The backstop for body deadlines: one background thread shuts down the receiving side of a
// connection whose deadline passed, so a read blocked anywhere inside Poco ends at once
// (recv returns end of stream). The receive timeout set before each read (body_reader.cpp)
// cannot do that alone: Poco parses a chunk-size line byte after byte within one read, each
// byte allowed the whole timeout, so a client trickling such a line could hold a worker
// forever.

#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

namespace fmg::coordinator::http {

class SocketDeadlines {
  public:
    using TimePoint = std::chrono::steady_clock::time_point;

    /// A deadline being watched; disarmed when destroyed. Move-only; must not outlive its
    /// SocketDeadlines.
    class Armed {
      public:
        Armed(Armed&& other) noexcept;
        Armed& operator=(Armed&&) = delete;
        Armed(const Armed&) = delete;
        Armed& operator=(const Armed&) = delete;
        ~Armed();

      private:
        friend class SocketDeadlines;
        Armed(SocketDeadlines* owner, uint64_t id) : owner_(owner), id_(id) {}
        SocketDeadlines* owner_;
        uint64_t id_;
    };

    /// Starts the watcher's thread.
    SocketDeadlines();
    /// Stops and joins the thread. Every Armed must be gone first: the HTTP server's pools are
    /// joined before the context that owns this is destroyed (coordinator/app.cpp).
    ~SocketDeadlines();
    SocketDeadlines(const SocketDeadlines&) = delete;
    SocketDeadlines& operator=(const SocketDeadlines&) = delete;

    /// Shuts down the receiving side of `socket` at `deadline`, unless the returned Armed is
    /// destroyed first. Sending still works afterwards, so the handler can answer 408.
    Armed arm(const Poco::Net::StreamSocket& socket, TimePoint deadline);

    /// Deadlines being watched now.
    size_t armed() const;

  private:
    void disarm(uint64_t id);
    void run();

    struct Entry {
        TimePoint deadline;
        Poco::Net::StreamSocket socket;  // a reference to the same connection
    };
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::map<uint64_t, Entry> entries_;
    uint64_t next_id_ = 1;
    bool stopping_ = false;
    std::thread thread_;  // last: started once the members it uses exist
};

}  // namespace fmg::coordinator::http
