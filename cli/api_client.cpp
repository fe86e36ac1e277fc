#include "cli/api_client.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include <algorithm>
#include <istream>
#include <memory>

#include "cli/constants.h"
#include "cli/http_errors.h"
#include "shared/exit_codes.h"
#include "shared/http_session.h"
#include "shared/version.h"

namespace fmg::cli {

namespace {

using Poco::Net::HTTPClientSession;
using Poco::Net::HTTPMessage;
using Poco::Net::HTTPRequest;
using Poco::Net::HTTPResponse;

constexpr const char* kReservedInQuery = "!#$&'()*+,/:;=?@[]% ";
constexpr const char* kReservedInSegment = "!#$&'()*+,/:;=?@[]% ";

Poco::Timespan timespan(std::chrono::seconds value) {
    return Poco::Timespan(static_cast<long>(value.count()), 0);
}

bool is_success(int status) {
    return status >= 200 && status < 300;
}

/// Reads the whole body, failing when it is larger than kMaxReplyBytes.
bool read_bounded(std::istream& in, std::string& out) {
    char buffer[16 * 1024];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        out.append(buffer, static_cast<size_t>(in.gcount()));
        if (out.size() > kMaxReplyBytes) return false;
    }
    return true;
}

std::string path_of(const std::string& target) {
    return target.substr(0, target.find('?'));
}

}  // namespace

ApiClient::ApiClient(ApiSettings settings) : settings_(std::move(settings)) {
    Poco::URI uri(settings_.server_url);
    server_ = Poco::URI(uri.getScheme() + "://" + uri.getAuthority());
    base_path_ = uri.getPath();
    while (!base_path_.empty() && base_path_.back() == '/') base_path_.pop_back();
}

ApiResult<JsonReply> ApiClient::get(const std::string& target) {
    return exchange(HTTPRequest::HTTP_GET, target, "");
}

ApiResult<JsonReply> ApiClient::post(const std::string& target, const std::string& json_body) {
    return exchange(HTTPRequest::HTTP_POST, target, json_body);
}

ApiResult<JsonReply> ApiClient::put_bytes(const std::string& target, const std::string& body) {
    return exchange(HTTPRequest::HTTP_PUT, target, body, "application/octet-stream");
}

ApiResult<JsonReply> ApiClient::remove(const std::string& target) {
    return exchange(HTTPRequest::HTTP_DELETE, target, "");
}

ApiResult<JsonReply> ApiClient::exchange(const std::string& method, const std::string& target,
                                         const std::string& json_body,
                                         const std::string& content_type) {
    std::string what = method + " " + path_of(target);
    JsonReply reply;
    try {
        auto connection = open_http_session(server_, settings_.tls);
        HTTPClientSession& session = *connection;
        session.setTimeout(timespan(kConnectTimeout), timespan(kReplyTimeout),
                           timespan(kReplyTimeout));
        HTTPRequest request(method, base_path_ + target, HTTPMessage::HTTP_1_1);
        request.set("Authorization", "Bearer " + settings_.token);
        request.set("Accept", "application/json");
        request.set("User-Agent", std::string("fmg/") + kVersion);
        if (!json_body.empty()) request.setContentType(content_type);
        if (!json_body.empty() || method == HTTPRequest::HTTP_POST ||
            method == HTTPRequest::HTTP_PUT) {
            request.setContentLength(static_cast<std::streamsize>(json_body.size()));
        }
        session.sendRequest(request) << json_body;
        HTTPResponse response;
        std::istream& in = session.receiveResponse(response);
        reply.status = static_cast<int>(response.getStatus());
        if (!read_bounded(in, reply.body)) {
            return ApiError{exit_code::kFailed, "the coordinator's answer to " + what +
                                                    " is larger than the limit of " +
                                                    std::to_string(kMaxReplyBytes) + " bytes"};
        }
    } catch (const Poco::Exception& e) {
        return unreachable_error(settings_, e.displayText());
    }
    if (!is_success(reply.status)) {
        return error_for_status(reply.status, reply.body, what, settings_);
    }
    if (reply.body.find_first_not_of(" \t\r\n") == std::string::npos) return reply;
    try {
        Poco::JSON::Parser parser;
        reply.json = parser.parse(reply.body);
    } catch (const Poco::Exception& e) {
        return ApiError{exit_code::kFailed,
                        "the coordinator's answer to " + what + " is not JSON: " + e.displayText()};
    }
    return reply;
}

ApiResult<Done> ApiClient::stream(const std::string& target, const ByteSink& sink, bool live) {
    std::string what = "GET " + path_of(target);
    bool delivered = false;
    try {
        auto connection = open_http_session(server_, settings_.tls);
        HTTPClientSession& session = *connection;
        // A receive timeout of zero waits without limit: a live log may be quiet for long.
        Poco::Timespan receive_timeout = live ? Poco::Timespan(0) : timespan(kReplyTimeout);
        session.setTimeout(timespan(kConnectTimeout), timespan(kReplyTimeout), receive_timeout);
        HTTPRequest request(HTTPRequest::HTTP_GET, base_path_ + target, HTTPMessage::HTTP_1_1);
        request.set("Authorization", "Bearer " + settings_.token);
        request.set("User-Agent", std::string("fmg/") + kVersion);
        session.sendRequest(request);
        HTTPResponse response;
        std::istream& in = session.receiveResponse(response);
        int status = static_cast<int>(response.getStatus());
        if (!is_success(status)) {
            std::string body;
            read_bounded(in, body);
            return error_for_status(status, body, what, settings_);
        }
        // Read straight from the stream buffer: sgetc() blocks until at least one byte (one
        // chunk's worth, as the socket gives it) is there, in_avail() says how much is
        // buffered, so every piece is handed on without waiting for more.
        std::streambuf* buffer = in.rdbuf();
        char piece[16 * 1024];
        while (buffer->sgetc() != std::char_traits<char>::eof()) {
            std::streamsize available = std::max<std::streamsize>(buffer->in_avail(), 1);
            std::streamsize n =
                buffer->sgetn(piece, std::min<std::streamsize>(available, sizeof piece));
            if (n <= 0) break;
            sink(std::string_view(piece, static_cast<size_t>(n)));
            delivered = true;
        }
    } catch (const Poco::Exception& e) {
        if (delivered) {
            return ApiError{exit_code::kUnreachable,
                            "lost the connection to the coordinator at " + settings_.server_url +
                                " while streaming: " + e.displayText(),
                            true};
        }
        return unreachable_error(settings_, e.displayText());
    }
    return Done{};
}

std::string with_query(std::string path,
                       const std::vector<std::pair<std::string, std::string>>& query) {
    char separator = '?';
    for (const auto& [key, value] : query) {
        if (value.empty()) continue;
        std::string encoded;
        Poco::URI::encode(value, kReservedInQuery, encoded);
        path += separator + key + "=" + encoded;
        separator = '&';
    }
    return path;
}

std::string path_segment(std::string_view text) {
    std::string encoded;
    Poco::URI::encode(std::string(text), kReservedInSegment, encoded);
    return encoded;
}

}  // namespace fmg::cli
