#include "fake_coordinator.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

namespace fmg::cli::testing {

namespace {

using Poco::Net::HTTPRequestHandler;
using Poco::Net::HTTPRequestHandlerFactory;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

class Handler final : public HTTPRequestHandler {
  public:
    explicit Handler(FakeCoordinator& owner) : owner_(owner) {}

    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
        RecordedRequest recorded;
        recorded.method = request.getMethod();
        recorded.uri = request.getURI();
        Poco::URI uri(request.getURI());
        recorded.path = uri.getPath();
        for (const auto& [key, value] : uri.getQueryParameters()) recorded.query[key] = value;
        recorded.authorization = request.get("Authorization", "");
        recorded.content_type = request.getContentType();
        Poco::StreamCopier::copyToString(request.stream(), recorded.body);
        owner_.dispatch(recorded, response);
    }

  private:
    FakeCoordinator& owner_;
};

class Factory final : public HTTPRequestHandlerFactory {
  public:
    explicit Factory(FakeCoordinator& owner) : owner_(owner) {}
    HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
        return new Handler(owner_);
    }

  private:
    FakeCoordinator& owner_;
};

std::string route_key(const std::string& method, const std::string& path) {
    return method + " " + path;
}

}  // namespace

void send_json(HTTPServerResponse& response, int status, const std::string& body) {
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    if (!body.empty()) response.setContentType("application/json");
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    response.send() << body;
}

void Signal::set() {
    std::lock_guard lock(mutex_);
    set_ = true;
    changed_.notify_all();
}

bool Signal::wait_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return set_; });
}

FakeCoordinator::FakeCoordinator() {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    port_ = socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(8);
    params->setKeepAlive(false);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, params);
    server_->start();
}

FakeCoordinator::FakeCoordinator(const std::string& certificate_file, const std::string& key_file)
    : tls_(true) {
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, key_file, certificate_file, "",
                               Poco::Net::Context::VERIFY_NONE, 9, false);
    Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, context);
    port_ = socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(8);
    params->setKeepAlive(false);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, params);
    server_->start();
}

FakeCoordinator::~FakeCoordinator() {
    server_->stopAll(true);
}

std::string FakeCoordinator::url() const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

void FakeCoordinator::on(const std::string& method, const std::string& path, RouteHandler handler) {
    std::lock_guard lock(mutex_);
    routes_[route_key(method, path)] = std::move(handler);
}

void FakeCoordinator::reply(const std::string& method, const std::string& path, int status,
                            const std::string& body) {
    on(method, path, [status, body](const RecordedRequest&, HTTPServerResponse& response) {
        send_json(response, status, body);
    });
}

std::vector<RecordedRequest> FakeCoordinator::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

void FakeCoordinator::dispatch(const RecordedRequest& request, HTTPServerResponse& response) {
    RouteHandler handler;
    {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
        auto it = routes_.find(route_key(request.method, request.path));
        if (it != routes_.end()) handler = it->second;
    }
    if (request.authorization != std::string("Bearer ") + kToken) {
        send_json(response, 401, R"({"error": "missing or wrong API token"})");
    } else if (!handler) {
        send_json(response, 404,
                  R"({"error": "no route for )" + request.method + " " + request.path + "\"}");
    } else {
        handler(request, response);
    }
}

uint16_t unused_port() {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    uint16_t port = socket.address().port();
    socket.close();
    return port;
}

}  // namespace fmg::cli::testing
