#pragma once
// Protocol peers for attackers' tests, built on protocol/'s codec and real ZeroMQ CURVE
// sockets: a fake agent that holds a runner's real keys (from `fmg configure add-runner`) and
// says hello and heartbeats but never accepts an assign, and a fake coordinator that a real
// agent's credentials can point at. Each runs its socket on a thread of its own, so a test
// can wait on conditions while the peer keeps its session alive, and each can send any raw
// frame (an oversized one, say).

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "protocol/messages.h"

namespace fmg::testing {

/// The peak resident memory (VmHWM of /proc/PID/status) of process `pid`, in bytes; fails
/// the test when it cannot be read.
int64_t peak_rss_bytes(pid_t pid);

/// An agent that connects with a runner's credentials file, says hello with `capacity`, and
/// heartbeats (holding nothing, all slots free) at the interval its welcome gives. It answers
/// no assign at all: neither `accepted` nor `refused`.
class SilentAgent {
  public:
    /// Connects and says hello at once. Throws on unreadable credentials or ZeroMQ errors.
    SilentAgent(const std::filesystem::path& credentials, std::string name, uint32_t capacity);
    ~SilentAgent();
    SilentAgent(const SilentAgent&) = delete;
    SilentAgent& operator=(const SilentAgent&) = delete;

    /// Whether a welcome arrived.
    bool welcomed() const;
    /// The assigns and cancels received so far, in order.
    std::vector<protocol::Assign> assigns() const;
    std::vector<protocol::Cancel> cancels() const;
    /// Sends `frame` as it is, from the peer's thread.
    void send_raw(std::string frame);

  private:
    struct State;
    void run();
    std::unique_ptr<State> state_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

/// A coordinator with a key pair of its own on a loopback port: it answers every hello with
/// a welcome (heartbeat 500 ms, agent timeout 1.5 s) and counts them, heartbeats the latest
/// connection that said hello, and sends nothing else unless told to.
class FakeCoordinator {
  public:
    /// Binds tcp://127.0.0.1 on a free port. Throws on ZeroMQ errors.
    FakeCoordinator();
    ~FakeCoordinator();
    FakeCoordinator(const FakeCoordinator&) = delete;
    FakeCoordinator& operator=(const FakeCoordinator&) = delete;

    std::string endpoint() const;
    const std::string& public_key_hex() const;
    /// Hellos received so far (one per session an agent opened).
    int hellos() const;
    /// Sends `frame` as it is to the connection of the latest hello.
    void send_raw(std::string frame);
    /// Writes an agent credentials file (as add-runner prints) naming this coordinator and a
    /// fresh key pair of the agent's.
    void write_credentials(const std::filesystem::path& file, const std::string& host) const;

  private:
    struct State;
    void run();
    std::unique_ptr<State> state_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace fmg::testing
