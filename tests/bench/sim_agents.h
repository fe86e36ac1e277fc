#pragma once
// A load tool for the coordinator: many simulated agents, each one ZeroMQ DEALER socket with
// its runner's CURVE keys, speaking the real protocol (protocol/PROTOCOL.md) from one thread.
// Each says hello, heartbeats at the interval the welcome gives, gives the session up and
// reconnects when the coordinator is silent for the agent timeout, and holds work the way a
// busy agent of capacity 1 does: it accepts the first attempt it is assigned and keeps it
// running until the attempt is cancelled; any further assign while it holds one is refused.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/bench/sim_runners.h"

namespace fmg::bench {

struct SimAgentsOptions {
    /// New sessions opened per second while ramping up, so 2,000 CURVE handshakes do not hit
    /// the coordinator's ZAP handler in one burst.
    int connects_per_second = 500;
    /// At most this many sessions wait for their welcome at once; the next opens when one is
    /// welcomed. Keeps the ramp within what the coordinator admits (a CURVE handshake and a
    /// hello each), so heartbeats of the sessions already open are not queued behind a
    /// thousand hellos.
    size_t max_pending_hellos = 32;
    /// How long a hello waits for its welcome before the socket is replaced (PROTOCOL 7.1.2).
    std::chrono::milliseconds hello_timeout{10'000};
    /// How long after giving up a session a simulated agent opens the next one.
    std::chrono::milliseconds reconnect_delay{250};
    /// ZeroMQ I/O threads (the CURVE work of every socket runs on them).
    int io_threads = 2;
};

/// What the simulated agents did so far (counts since start()).
struct SimAgentsStats {
    size_t online = 0;    // agents whose current session was welcomed
    size_t holding = 0;   // agents holding an accepted attempt
    uint64_t hellos = 0;  // sessions opened (first ones and reconnects)
    uint64_t welcomes = 0;
    uint64_t rejects = 0;    // a rejected agent stops, as a real one exits
    uint64_t forgotten = 0;  // `no_session` rejects: the coordinator had dropped the session
    uint64_t heartbeats_sent = 0;
    uint64_t frames_received = 0;  // every frame from the coordinator
    uint64_t assigns = 0;
    uint64_t refused = 0;  // assigns refused because the agent already held one
    uint64_t cancels = 0;
    uint64_t hello_timeouts = 0;    // no welcome in time: socket replaced
    uint64_t session_timeouts = 0;  // coordinator silent for agent_timeout_ms: session given up
    uint64_t bad_frames = 0;        // frames the agent decoder refused
    uint64_t send_failures = 0;     // a send that ZeroMQ would not queue
    std::string last_reject;        // the reason of the last reject, if any
    std::string failure;            // why the thread stopped early (a ZeroMQ error), if it did
};

class SimAgents {
  public:
    /// Prepares one simulated agent per runner (each connecting to its runner's coordinator
    /// endpoint with its keys); nothing is connected before start(). Throws zmq::error_t
    /// when ZeroMQ cannot make a context for that many sockets.
    SimAgents(std::vector<SimRunner> runners, SimAgentsOptions options = {});
    /// Stops the thread and closes every socket at once (linger 0): to the coordinator this
    /// is every agent process ending.
    ~SimAgents();
    SimAgents(const SimAgents&) = delete;
    SimAgents& operator=(const SimAgents&) = delete;

    /// Starts the thread that ramps the sessions up and runs them. Call once.
    void start();
    /// Stops the thread and closes the sockets; the stats stay readable.
    void stop();

    /// A consistent snapshot of the counters.
    SimAgentsStats stats() const;
    size_t size() const { return runners_.size(); }

  private:
    struct Loop;
    void run();
    void run_loop();

    std::vector<SimRunner> runners_;
    SimAgentsOptions options_;
    std::unique_ptr<Loop> loop_;
    std::thread thread_;
    std::atomic<bool> running_{false};
    mutable std::mutex stats_mutex_;
    SimAgentsStats stats_;  // published by the thread every loop iteration
};

}  // namespace fmg::bench
