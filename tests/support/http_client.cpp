#include "tests/support/http_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include "shared/http_session.h"
#include "tests/support/json.h"

namespace fmg::testing {

std::string HttpResponse::header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
        if (Poco::icompare(key, name) == 0) return value;
    }
    return {};
}

Poco::JSON::Object::Ptr HttpResponse::json() const {
    return parse_object(body);
}

std::string HttpResponse::describe() const {
    if (status == 0) return "no answer: " + transport_error;
    return "HTTP " + std::to_string(status) + ": " + body;
}

HttpClient::HttpClient(std::string base_url, std::string token, std::chrono::seconds timeout)
    : base_url_(std::move(base_url)), token_(std::move(token)), timeout_(timeout) {}

HttpResponse HttpClient::get(const std::string& path_and_query) const {
    return request(Poco::Net::HTTPRequest::HTTP_GET, path_and_query, {}, {});
}

HttpResponse HttpClient::post_json(const std::string& path, const std::string& body,
                                   const Headers& headers) const {
    Headers all = headers;
    all.emplace_back("Content-Type", "application/json");
    return request(Poco::Net::HTTPRequest::HTTP_POST, path, body, all);
}

HttpResponse HttpClient::del(const std::string& path) const {
    return request(Poco::Net::HTTPRequest::HTTP_DELETE, path, {}, {});
}

HttpResponse HttpClient::request(const std::string& method, const std::string& path,
                                 const std::string& body, const Headers& headers) const {
    HttpResponse result;
    try {
        const Poco::URI uri(base_url_);
        // https:// for a coordinator serving TLS: its certificate checked against ca_file_.
        auto connection = open_http_session(uri, TlsTrust{ca_file_, false});
        Poco::Net::HTTPClientSession& session = *connection;
        session.setTimeout(Poco::Timespan(static_cast<long>(timeout_.count()), 0));
        Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
        if (!token_.empty()) request.set("Authorization", "Bearer " + token_);
        for (const auto& [name, value] : headers) request.set(name, value);
        if (!body.empty() || method == Poco::Net::HTTPRequest::HTTP_POST) {
            request.setContentLength(static_cast<std::streamsize>(body.size()));
        }
        session.sendRequest(request) << body;
        Poco::Net::HTTPResponse response;
        std::istream& in = session.receiveResponse(response);
        Poco::StreamCopier::copyToString(in, result.body);
        result.status = static_cast<int>(response.getStatus());
        result.content_type = response.get("Content-Type", "");
        for (const auto& [name, value] : response) result.headers.emplace_back(name, value);
    } catch (const Poco::Exception& error) {
        result.status = 0;
        result.transport_error = error.displayText();
    } catch (const std::exception& error) {
        result.status = 0;
        result.transport_error = error.what();
    }
    return result;
}

}  // namespace fmg::testing
