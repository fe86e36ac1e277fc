#pragma once
// A small blocking HTTP client for tests: the coordinator's REST API and webhook endpoint.

#include <Poco/JSON/Object.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace fmg::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
    int status = 0;            // 0 when no answer came (see transport_error)
    std::string body;          // the whole body (a chunked answer is read to its end)
    std::string content_type;  // the Content-Type header, or empty
    Headers headers;           // every header, as sent
    std::string transport_error;

    /// The first header named `name` (ignoring case), or empty.
    std::string header(const std::string& name) const;

    /// The body as a JSON object; fails the test when it is not one.
    Poco::JSON::Object::Ptr json() const;
    /// "HTTP 401: {body}" or "no answer: connection refused", for messages.
    std::string describe() const;
};

class HttpClient {
  public:
    /// `base_url` like "http://127.0.0.1:5000"; a non-empty `token` is sent as
    /// `Authorization: Bearer TOKEN` on every request.
    explicit HttpClient(std::string base_url, std::string token = {},
                        std::chrono::seconds timeout = std::chrono::seconds(30));

    HttpResponse get(const std::string& path_and_query) const;
    HttpResponse post_json(const std::string& path, const std::string& body,
                           const Headers& headers = {}) const;
    HttpResponse del(const std::string& path) const;

    /// Sends one request. Never throws for network errors: they come back as status 0 with
    /// `transport_error` set (a server that is not up yet is an expected answer in tests).
    HttpResponse request(const std::string& method, const std::string& path,
                         const std::string& body, const Headers& headers) const;

    const std::string& base_url() const { return base_url_; }
    /// For an https:// base URL: trust the CAs of this PEM file.
    HttpClient& trusting(std::string ca_file) {
        ca_file_ = std::move(ca_file);
        return *this;
    }

  private:
    std::string ca_file_;
    std::string base_url_;
    std::string token_;
    std::chrono::seconds timeout_;
};

}  // namespace fmg::testing
