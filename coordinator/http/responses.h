#pragma once
// Small helpers every handler uses: JSON answers, errors as {"error": "..."}, bounded body
// reads, bearer-token checks and the thread's own database connection.

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <optional>
#include <string>

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

/// Reads the body, refusing more than `limit` bytes: nullopt means "too large".
std::optional<std::string> read_body(HTTPServerRequest& request, size_t limit);

/// Checks `Authorization: Bearer TOKEN` against the admin token; answers 401 and returns
/// false when it is missing or wrong.
bool authorized(const HttpContext& context, HTTPServerRequest& request,
                HTTPServerResponse& response);

/// This thread's connection to the coordinator database (opened on first use).
Database& thread_database(const std::filesystem::path& file);

/// Parses a JSON object body; nullptr when it is not one.
Poco::JSON::Object::Ptr parse_object(const std::string& body);

/// Reads an API request's body as a JSON object (at most kMaxApiBodyBytes). When it is too
/// large or not an object, answers 413 or 400 and returns nullptr.
Poco::JSON::Object::Ptr read_json_body(HTTPServerRequest& request, HTTPServerResponse& response);

}  // namespace fmg::coordinator::http
