#pragma once
// Small helpers every handler uses: JSON answers, errors as {"error": "..."}, bounded body
// reads, bearer-token checks and the thread's own database connection.

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <optional>
#include <string>

#include "coordinator/access/caller.h"
#include "coordinator/http/body_reader.h"
#include "coordinator/http/http_context.h"
#include "coordinator/store/database.h"

namespace fmg::coordinator::http {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

void send_json(HTTPServerResponse& response, HTTPResponse::HTTPStatus status,
               const Poco::Dynamic::Var& body);
void send_error(HTTPServerResponse& response, HTTPResponse::HTTPStatus status,
                const std::string& message);
void send_text(HTTPServerResponse& response, HTTPResponse::HTTPStatus status,
               const std::string& text, const std::string& content_type = "text/plain");

/// A body read whole, or how the read ended early.
struct BodyRead {
    BodyEnd end = BodyEnd::complete;
    std::string body;  // every byte when `end` is complete; what had arrived otherwise
};

/// Reads the body, refusing more than `limit` bytes (413 material), within its deadline (408
/// material): read_body_pieces (body_reader.h) with the pieces appended, the buffer reserved
/// once at the Content-Length.
BodyRead read_body(HttpContext& context, HTTPServerRequest& request, size_t limit);

/// Who `Authorization: Bearer TOKEN` names: an unrevoked API token (tokens::authenticate).
/// Answers 401 and returns nullopt when the header is missing or the token unknown or revoked.
std::optional<Caller> authenticate(HttpContext& context, HTTPServerRequest& request,
                                   HTTPServerResponse& response);

/// The integer query parameter `name` within [minimum, maximum], `fallback` when absent;
/// nullopt (after answering 400) when it is something else.
std::optional<int64_t> integer_parameter(const Poco::Net::HTMLForm& query, const std::string& name,
                                         int64_t fallback, int64_t minimum, int64_t maximum,
                                         HTTPServerResponse& response);

/// This thread's connection to the coordinator database (opened on first use).
Database& thread_database(const std::filesystem::path& file);

/// Parses a JSON object body; nullptr when it is not one.
Poco::JSON::Object::Ptr parse_object(const std::string& body);

/// Reads an API request's body as a JSON object (at most kMaxApiBodyBytes). When it is too
/// large, late (body_deadline), cut short or not an object, answers 413, 408, 400 or 400 and
/// returns nullptr; the connection is closed after an answer sent before the body's end.
Poco::JSON::Object::Ptr read_json_body(HttpContext& context, HTTPServerRequest& request,
                                       HTTPServerResponse& response);

}  // namespace fmg::coordinator::http
