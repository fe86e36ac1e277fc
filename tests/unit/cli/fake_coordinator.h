#pragma once
// A stand-in for the coordinator's REST API in CLI tests: a real Poco HTTP server on an
// ephemeral loopback port that answers the routes a test sets up, checks the bearer token
// like the coordinator does, and records every request.

#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace fmg::cli::testing {

struct RecordedRequest {
    std::string method;
    std::string uri;   // as sent: path and query, percent-encoded
    std::string path;  // decoded, without the query
    std::map<std::string, std::string> query;
    std::string authorization;
    std::string content_type;
    std::string body;
};

using RouteHandler = std::function<void(const RecordedRequest&, Poco::Net::HTTPServerResponse&)>;

/// Sends `body` with `status` and content type application/json (nothing for an empty body).
void send_json(Poco::Net::HTTPServerResponse& response, int status, const std::string& body);

/// A one-shot flag one thread sets and another waits for, with a deadline.
class Signal {
  public:
    void set();
    /// True once set() was called, false when `timeout` passed first.
    bool wait_for(std::chrono::milliseconds timeout);

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    bool set_ = false;
};

class FakeCoordinator {
  public:
    /// Starts serving on 127.0.0.1 on a free port. Every request must carry
    /// `Authorization: Bearer TOKEN` for `token` (see kToken), or it gets 401.
    FakeCoordinator();
    /// The same over TLS: https://127.0.0.1:PORT with the certificate and key in these PEM
    /// files.
    FakeCoordinator(const std::string& certificate_file, const std::string& key_file);
    ~FakeCoordinator();
    FakeCoordinator(const FakeCoordinator&) = delete;
    FakeCoordinator& operator=(const FakeCoordinator&) = delete;

    static constexpr const char* kToken = "s3cret-token";

    /// http://127.0.0.1:PORT, or https://127.0.0.1:PORT over TLS
    std::string url() const;

    /// Answers `method` on the decoded `path` (no query) with `handler`; unknown routes
    /// answer 404 {"error": "no route ..."}.
    void on(const std::string& method, const std::string& path, RouteHandler handler);
    /// Answers with a fixed status and JSON body.
    void reply(const std::string& method, const std::string& path, int status,
               const std::string& body);

    std::vector<RecordedRequest> requests() const;

    void dispatch(const RecordedRequest& request, Poco::Net::HTTPServerResponse& response);

  private:
    mutable std::mutex mutex_;
    std::map<std::string, RouteHandler> routes_;
    std::vector<RecordedRequest> requests_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    uint16_t port_ = 0;
    bool tls_ = false;
};

/// A loopback port that nothing listens on (bound, read, and closed again).
uint16_t unused_port();

}  // namespace fmg::cli::testing
