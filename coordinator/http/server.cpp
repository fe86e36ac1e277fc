#include "coordinator/http/server.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/URI.h>

#include "coordinator/http/api_routes.h"
#include "coordinator/http/metrics.h"
#include "coordinator/http/webhook_handler.h"
#include "shared/log.h"

namespace fmg::coordinator::http {
namespace {

/// Everything that is not a webhook: health, metrics and the authenticated API.
class RequestHandler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit RequestHandler(HttpContext& context) : context_(context) {}

    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
        std::string path = Poco::URI(request.getURI()).getPath();
        try {
            if (path == "/healthz") return send_text(response, HTTPResponse::HTTP_OK, "ok\n");
            if (path == "/metrics") {
                return send_text(response, HTTPResponse::HTTP_OK, render_metrics(context_),
                                 "text/plain; version=0.0.4");
            }
            if (path.rfind("/api/v1/", 0) == 0) {
                if (!authorized(context_, request, response)) return;
                return route_api(context_, request, response);
            }
            send_error(response, HTTPResponse::HTTP_NOT_FOUND, "no such endpoint: " + path);
        } catch (const std::exception& e) {
            FMG_LOG(error) << request.getMethod() << " " << path << " failed: " << e.what();
            if (!response.sent()) {
                send_error(response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, e.what());
            }
        }
    }

  private:
    HttpContext& context_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    explicit Factory(HttpContext& context) : context_(context) {}

    Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest& request) override {
        if (Poco::URI(request.getURI()).getPath() == "/webhook")
            return new WebhookHandler(context_);
        return new RequestHandler(context_);
    }

  private:
    HttpContext& context_;
};

}  // namespace

Server::Server(HttpContext& context, const std::string& host, uint16_t port) {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress(host, port), 256);
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(32);
    params->setMaxQueued(256);
    params->setKeepAlive(true);
    // Followers of live logs hold a connection open; the timeout bounds idle keep-alives.
    params->setTimeout(Poco::Timespan(60, 0));
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(context), socket, params);
}

Server::~Server() {
    stop();
}

void Server::start() {
    server_->start();
}

void Server::stop() {
    if (server_) server_->stopAll(true);
}

uint16_t Server::port() const {
    return server_->port();
}

}  // namespace fmg::coordinator::http
