#pragma once
// The coordinator's HTTP server: webhooks, /healthz, /metrics and the REST API, on Poco's
// HTTPServer with a bounded worker pool.

#include <Poco/Net/HTTPServer.h>

#include <memory>

#include "coordinator/http/http_context.h"

namespace fmg::coordinator::http {

class Server {
  public:
    /// Binds host:port (port 0 picks a free one); throws Poco::Exception when it cannot.
    Server(HttpContext& context, const std::string& host, uint16_t port);
    ~Server();

    void start();
    void stop();
    uint16_t port() const;

  private:
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace fmg::coordinator::http
