#include "coordinator/http/server.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/URI.h>
#include <sys/resource.h>

#include <algorithm>
#include <thread>

#include "coordinator/http/api_routes.h"
#include "coordinator/http/constants.h"
#include "coordinator/http/metrics.h"
#include "coordinator/http/web_routes.h"
#include "coordinator/http/webhook_handler.h"
#include "coordinator/setup/tls_context.h"
#include "shared/log.h"

namespace fmg::coordinator::http {
namespace {

/// Everything that is not a webhook: health, metrics, the authenticated API and the dashboard.
class RequestHandler : public Poco::Net::HTTPRequestHandler {
  public:
    RequestHandler(HttpContext& context, const ConnectionLimits& limits)
        : context_(context), limits_(limits) {}

    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
        std::string path = request.getURI();
        try {
            path = Poco::URI(request.getURI()).getPath();
            if (path == "/healthz") return send_text(response, HTTPResponse::HTTP_OK, "ok\n");
            if (path == "/metrics") {
                return send_text(response, HTTPResponse::HTTP_OK,
                                 render_metrics(context_) + limits_.render_metrics(),
                                 "text/plain; version=0.0.4");
            }
            if (path.rfind("/api/v1/", 0) == 0) {
                auto caller = authenticate(context_, request, response);
                if (!caller) return;
                return route_api(context_, *caller, request, response);
            }
            if (is_web_path(path)) return route_web(context_, request, response);
            send_error(response, HTTPResponse::HTTP_NOT_FOUND, "no such endpoint: " + path);
        } catch (const Poco::SyntaxException& e) {
            // A target whose percent-encoding does not decode.
            if (!response.sent()) {
                send_error(response, HTTPResponse::HTTP_BAD_REQUEST,
                           "malformed request target: " + e.displayText());
            }
        } catch (const std::exception& e) {
            FMG_LOG(error) << request.getMethod() << " " << path << " failed: " << e.what();
            if (!response.sent()) {
                send_error(response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, e.what());
            }
        }
    }

  private:
    HttpContext& context_;
    const ConnectionLimits& limits_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    Factory(HttpContext& context, const ConnectionLimits& limits)
        : context_(context), limits_(limits) {}

    Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest& request) override {
        try {
            if (Poco::URI(request.getURI()).getPath() == "/webhook")
                return new WebhookHandler(context_);
        } catch (const Poco::SyntaxException&) {
            // Not a webhook: RequestHandler answers 400.
        }
        return new RequestHandler(context_, limits_);
    }

    /// Poco's signal to every live HTTPServerConnection (protected: HTTPServer's to send):
    /// each shuts its socket, so a handler blocked reading from a slow client or writing to
    /// one that stopped reading returns now.
    void shut_live_connections() {
        const bool abort_current = true;
        serverStopped(this, abort_current);
    }

  private:
    HttpContext& context_;
    const ConnectionLimits& limits_;
};

/// kMaxConnections, or half the file descriptor limit when that is lower: the other half
/// is for the database, the agents' connections and the logs.
int connection_cap() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
        return kMaxConnections;
    }
    return static_cast<int>(
        std::max<rlim_t>(1, std::min<rlim_t>(kMaxConnections, limit.rlim_cur / 2)));
}

Poco::Net::ServerSocket listen_on(const std::string& host, uint16_t port) {
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress(host, port), true);
    // Inherited by accepted sockets: a head and kMaxHeldBodyBytes fit the receive window.
    socket.setReceiveBufferSize(kReceiveBufferBytes);
    socket.listen(kListenBacklog);
    return socket;
}

}  // namespace

Server::Server(HttpContext& context, const std::string& host, uint16_t port)
    : limits_(connection_cap(), kMaxConnectionsPerAddress, kMaxLogFollowers) {
    auto* factory = new Factory(context, limits_);
    handlers_ = factory;
    shut_live_connections_ = [factory] { factory->shut_live_connections(); };
    workers_ = std::make_unique<WorkerPool>(PoolKind::workers, kHttpWorkers, kHttpQueuedRequests,
                                            handlers_, limits_);
    followers_ = std::make_unique<WorkerPool>(PoolKind::followers, kMaxLogFollowers,
                                              kMaxLogFollowers, handlers_, limits_);
    gate_ = std::make_unique<Gate>(
        listen_on(host, port), limits_, *workers_, *followers_,
        context.settings.webhook_secret.has_value(),
        context.settings.tls_cert.empty()
            ? nullptr
            : tls_server_context(context.settings.tls_cert, context.settings.tls_key));
}

Server::~Server() {
    stop();
}

void Server::start() {
    gate_->start();
}

void Server::stop_accepting() {
    gate_->stop();
}

void Server::stop() {
    if (stopped_) return;
    stopped_ = true;
    gate_->stop();
    auto deadline = std::chrono::steady_clock::now() + kShutdownGrace;
    while (workers_->busy() + followers_->busy() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    workers_->stop();
    followers_->stop();
    shut_live_connections_();
    workers_->join();
    followers_->join();
}

uint16_t Server::port() const {
    return gate_->port();
}

}  // namespace fmg::coordinator::http
