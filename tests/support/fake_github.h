#pragma once
// The one stand-in of the integration tests (principles: real components): a local HTTP server
// in place of api.github.com that checks and records every commit status the coordinator
// posts. It validates requests the way GitHub does (path, token, JSON body, state,
// description length) and answers 201 with the status, or the error GitHub would give.

#include <Poco/Net/HTTPServer.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace fmg::testing {

/// One request the fake received.
struct PostedStatus {
    std::string method;
    std::string path;           // "/repos/OWNER/REPO/statuses/SHA"
    std::string authorization;  // the Authorization header as sent
    std::string body;           // the raw body
    std::string client;         // the client's address and port: one per connection
    int answered = 0;           // the HTTP status the fake answered with
    std::string rejection;      // why it was not accepted (empty when answered 201)
    std::chrono::steady_clock::time_point received_at;  // when the fake read it
    // Fields of an accepted body:
    std::string state;
    std::string target_url;
    std::string description;
    std::string context;

    /// "OWNER/REPO" and "SHA" from the path (empty when the path is not a status path).
    std::string repo() const;
    std::string sha() const;
};

class FakeGitHub {
  public:
    /// Starts listening on an ephemeral port of 127.0.0.1. Throws Poco::Exception on failure.
    /// A kept-alive connection idle for `idle_close` is closed by the fake, as servers do
    /// (0: Poco's default, 10 s).
    explicit FakeGitHub(std::string expected_token,
                        std::chrono::milliseconds idle_close = std::chrono::milliseconds(0));
    /// Stops the server (waits for handlers in progress).
    ~FakeGitHub();
    FakeGitHub(const FakeGitHub&) = delete;
    FakeGitHub& operator=(const FakeGitHub&) = delete;

    /// "http://127.0.0.1:PORT": what to pass as --github-api-url.
    std::string url() const;
    uint16_t port() const { return port_; }

    /// Every request received, in order of arrival.
    std::vector<PostedStatus> requests() const;
    /// The accepted (201) statuses, in order of arrival.
    std::vector<PostedStatus> statuses() const;
    /// The accepted statuses of one context (e.g. "fmg/build"), in order of arrival.
    std::vector<PostedStatus> statuses_for(std::string_view context) const;
    /// Requests the fake refused because they were malformed (not counting fail_next()).
    std::vector<PostedStatus> rejected() const;

    /// Makes the next `count` well-formed requests fail with `http_status` (e.g. 502), as
    /// GitHub does in an outage, to exercise the coordinator's retries.
    void fail_next(int count, int http_status = 502);
    /// Makes the next `count` well-formed requests fail as GitHub's secondary rate limit does:
    /// 403 with `retry-after: SECONDS` and a message saying so.
    void rate_limit_next(int count, int retry_after_seconds);

    struct State;  // shared with the request handlers

  private:
    std::shared_ptr<State> state_;
    uint16_t port_ = 0;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace fmg::testing
