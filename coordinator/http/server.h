#pragma once
// The coordinator's HTTP server: webhooks, /healthz, /metrics and the REST API. A gate thread
// (http/gate.h) takes every connection until its request has arrived, then hands it to a pool
// of workers, or, for a live-log follower, to a pool of its own (http/worker_pool.h).

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <functional>
#include <memory>

#include "coordinator/http/connection_limits.h"
#include "coordinator/http/gate.h"
#include "coordinator/http/http_context.h"
#include "coordinator/http/worker_pool.h"

namespace fmg::coordinator::http {

class Server {
  public:
    /// Binds host:port (port 0 picks a free one); throws Poco::Exception when it cannot.
    Server(HttpContext& context, const std::string& host, uint16_t port);
    /// Stops (see stop()) if still running.
    ~Server();

    void start();
    /// Stops accepting connections: new ones are refused by the kernel; those that had not
    /// sent a complete request are closed. Requests already handed over go on.
    void stop_accepting();
    /// Stops accepting, gives requests in progress kShutdownGrace to finish, shuts the
    /// sockets of those still running and joins every thread. Followers end at once when the
    /// LogNotifier was shut down first. After it returns no handler runs.
    void stop();
    uint16_t port() const;

  private:
    Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
    std::function<void()> shut_live_connections_;
    ConnectionLimits limits_;
    std::unique_ptr<WorkerPool> workers_;
    std::unique_ptr<WorkerPool> followers_;
    std::unique_ptr<Gate> gate_;
    bool stopped_ = false;
};

}  // namespace fmg::coordinator::http
