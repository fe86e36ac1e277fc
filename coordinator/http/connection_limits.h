#pragma once
// Counts the HTTP server's open connections, per client address and in all, and its live-log
// followers: the gate admits a connection here when it accepts it, and the connection is
// released when the worker's connection object is destroyed (or the gate closes it). Also
// counts why the gate refused or closed connections, for /metrics. Thread-safe.

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace fmg::coordinator::http {

enum class Admission { admitted, address_full, total_full };

/// Why the gate answered a connection itself instead of handing it on (a /metrics label).
enum class GateRefusal {
    address_cap,     // 503: the client's address has kMaxConnectionsPerAddress open
    total_cap,       // 503: kMaxConnections open
    queue_full,      // 503: every worker busy and kHttpQueuedRequests waiting
    follower_cap,    // 503: kMaxLogFollowers following
    head_deadline,   // 408: no complete request within kRequestHeadDeadline
    head_too_large,  // 431: head over kMaxRequestHeadBytes
    bad_request,     // 400: not an HTTP request line
};
constexpr size_t kGateRefusalKinds = 7;

/// The /metrics label of a refusal.
const char* label_of(GateRefusal refusal);

class ConnectionLimits {
  public:
    /// `max_total` connections in all, `max_per_address` from one address, `max_followers`.
    ConnectionLimits(int max_total, int max_per_address, int max_followers);

    /// Counts a newly accepted connection (socket `fd`) from `address`, unless a cap is
    /// reached (then nothing is counted and the answer says which).
    Admission admit(int fd, const std::string& address);
    /// Marks the admitted connection `fd` as a follower; false (nothing changes) when
    /// max_followers already follow.
    bool start_following(int fd);
    /// Forgets connection `fd` (and its follower mark), which the gate closes; no-op for an
    /// unknown fd.
    void release_fd(int fd);
    /// Called by the worker that takes connection `fd` while the socket is still open (so the
    /// number names it alone): returns a ticket that names the connection from now on, since
    /// the descriptor's number may be reused once the worker's session closes it. 0 when the fd
    /// was never admitted.
    uint64_t claim(int fd);
    /// Forgets the connection `ticket` names; no-op for 0 or an unknown ticket.
    void release_ticket(uint64_t ticket);

    int open_connections() const;
    int followers() const;

    void count_refusal(GateRefusal refusal) {
        refusals_[static_cast<size_t>(refusal)].fetch_add(1, std::memory_order_relaxed);
    }
    uint64_t refusals(GateRefusal refusal) const {
        return refusals_[static_cast<size_t>(refusal)].load(std::memory_order_relaxed);
    }

    /// The gate's metrics in Prometheus text format: refusals by cause, open connections,
    /// followers.
    std::string render_metrics() const;

  private:
    struct Entry {
        std::string address;
        bool follower = false;
    };

    const int max_total_;
    const int max_per_address_;
    const int max_followers_;
    mutable std::mutex mutex_;
    void release_locked(uint64_t ticket);

    std::unordered_map<uint64_t, Entry> entries_;
    std::unordered_map<int, uint64_t> ticket_of_fd_;  // connections the gate or queue hold
    uint64_t last_ticket_ = 0;
    std::unordered_map<std::string, int> per_address_;
    int followers_ = 0;
    std::array<std::atomic<uint64_t>, kGateRefusalKinds> refusals_{};
};

}  // namespace fmg::coordinator::http
