#pragma once
// The gate in front of the HTTP server's threads. One thread owns the listening socket and
// every connection that has not yet sent a complete request: it watches them with epoll and
// peeks at what they sent (consuming nothing) until the request head, and a body of up to
// kMaxHeldBodyBytes (or that much of a larger one), has arrived. Only then does it hand the
// socket to a pool (http/worker_pool.h), where Poco parses the request as usual. So an idle,
// slow or silent client costs a file descriptor, never a thread that others need.
//
// The gate answers by itself: GET /healthz (so it answers while every worker is busy); 408 to
// a client with no complete request within kRequestHeadDeadline; 431 and 400 to heads it
// cannot read; 503 with Retry-After past a cap (per address, in all, the workers' waiting room,
// followers). Every answer is written without blocking, then the connection is closed.

#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <deque>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "coordinator/http/connection_limits.h"
#include "coordinator/http/request_head.h"
#include "coordinator/http/tls_connection.h"
#include "coordinator/http/worker_pool.h"

namespace fmg::coordinator::http {

class Gate {
  public:
    /// Takes over `listener` (bound and listening); hands requests to `workers` and, for
    /// follow=1 log requests, to `followers`, counting connections in `limits`.
    /// `webhook_secret_set`: whether webhooks can be authenticated at all (answered_before_body).
    /// `tls`: the server context when connections are TLS (http/tls_connection.h), else null.
    Gate(Poco::Net::ServerSocket listener, ConnectionLimits& limits, WorkerPool& workers,
         WorkerPool& followers, bool webhook_secret_set, Poco::Net::Context::Ptr tls = nullptr);
    /// Stops the thread if it runs.
    ~Gate();
    Gate(const Gate&) = delete;
    Gate& operator=(const Gate&) = delete;

    /// Starts the gate's thread. Throws std::system_error when epoll or the thread cannot be
    /// created.
    void start();
    /// Stops accepting, closes the connections that had not sent a complete request, and
    /// joins the thread. Connections already handed over are the pools' to finish.
    void stop();
    /// The port the listener is bound to.
    uint16_t port() const;

  private:
    using Clock = std::chrono::steady_clock;

    struct Pending {
        Poco::Net::StreamSocket socket;
        Clock::time_point deadline;
        size_t needed = 0;            // bytes of head and held body, once the head was read; else 0
        Route route = Route::worker;  // where it goes, once the head was read
        // TLS only: the connection (owned by `socket`), whether its handshake is done, and
        // what the gate has read of the request (it cannot peek at TLS).
        TlsConnection* tls = nullptr;
        bool handshaken = false;
        std::string received;
    };

    void run();
    void accept_connections(Clock::time_point now);
    void admit(int fd, Clock::time_point now);
    void examine(int fd, bool peer_closed);
    void examine_tls(int fd, Pending& pending, bool peer_closed);
    /// What to do with a head read whole: route it, or answer it; false when it was answered.
    bool take_head(int fd, Pending& pending, const RequestHead& head, size_t arrived);
    void wait_for_body(int fd, Pending& pending, bool peer_closed);
    void dispatch(int fd, Route route);
    void expire(Clock::time_point now);
    int wait_timeout_ms(Clock::time_point now) const;
    void refuse(int fd, GateRefusal cause, Poco::Net::HTTPResponse::HTTPStatus status,
                const std::string& message);
    /// Sends `answer` on a pending connection (plainly, or over TLS once the handshake is
    /// done) and closes it.
    void finish_pending(int fd, const std::string& answer);
    /// 431 for a head past kMaxRequestHeadBytes, 400 for one that is no HTTP request.
    void refuse_head(int fd, HeadState state);
    void close_pending(int fd);
    void set_accepting(bool accepting);

    Poco::Net::ServerSocket listener_;
    ConnectionLimits& limits_;
    WorkerPool& workers_;
    WorkerPool& followers_;
    bool webhook_secret_set_;
    Poco::Net::Context::Ptr tls_;
    int epoll_fd_ = -1;
    int wake_fd_ = -1;
    bool stopping_ = false;  // read by the gate's thread after the eventfd wakes it
    bool accepting_ = true;
    Clock::time_point accept_resume_{};
    std::unordered_map<int, Pending> pending_;
    std::deque<std::pair<Clock::time_point, int>> deadlines_;  // in accept order = deadline order
    std::vector<char> peek_buffer_;
    std::thread thread_;
};

}  // namespace fmg::coordinator::http
