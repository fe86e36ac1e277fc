#include "coordinator/http/responses.h"

#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <charconv>
#include <memory>
#include <sstream>

#include "coordinator/constants.h"
#include "coordinator/store/token_store.h"

namespace fmg::coordinator::http {

void send_text(HTTPServerResponse& response, HTTPResponse::HTTPStatus status,
               const std::string& text, const std::string& content_type) {
    // Poco's setStatus keeps the reason "OK"; the reason must match the status.
    response.setStatusAndReason(status);
    response.setContentType(content_type);
    response.setContentLength(static_cast<std::streamsize>(text.size()));
    response.send() << text;
}

void send_json(HTTPServerResponse& response, HTTPResponse::HTTPStatus status,
               const Poco::Dynamic::Var& body) {
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(body, out);
    send_text(response, status, out.str() + "\n", "application/json");
}

void send_error(HTTPServerResponse& response, HTTPResponse::HTTPStatus status,
                const std::string& message) {
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
    body->set("error", message);
    send_json(response, status, body);
}

BodyRead read_body(HttpContext& context, HTTPServerRequest& request, size_t limit) {
    BodyRead read;
    if (request.hasContentLength() && request.getContentLength64() > 0 &&
        static_cast<uint64_t>(request.getContentLength64()) <= limit) {
        read.body.reserve(static_cast<size_t>(request.getContentLength64()));
    }
    read.end =
        read_body_pieces(request, context.body_deadlines, limit, [&](std::string_view piece) {
            read.body.append(piece);
            return true;
        });
    return read;
}

std::optional<Caller> authenticate(HttpContext& context, HTTPServerRequest& request,
                                   HTTPServerResponse& response) {
    const std::string prefix = "Bearer ";
    std::string header = request.get("Authorization", "");
    if (header.rfind(prefix, 0) == 0) {
        Database& db = thread_database(context.database_file);
        if (auto token = tokens::authenticate(db, std::string_view(header).substr(prefix.size()),
                                              context.clock.wall_ms())) {
            return Caller{token->id, token->name, token->role, {}};
        }
    }
    send_error(response, HTTPResponse::HTTP_UNAUTHORIZED,
               header.empty() ? "missing Authorization: Bearer TOKEN" : "invalid token");
    return std::nullopt;
}

std::optional<int64_t> integer_parameter(const Poco::Net::HTMLForm& query, const std::string& name,
                                         int64_t fallback, int64_t minimum, int64_t maximum,
                                         HTTPServerResponse& response) {
    if (!query.has(name)) return fallback;
    const std::string& text = query.get(name);
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < minimum ||
        value > maximum) {
        send_error(response, HTTPResponse::HTTP_BAD_REQUEST,
                   name + " must be an integer from " + std::to_string(minimum) + " to " +
                       std::to_string(maximum));
        return std::nullopt;
    }
    return value;
}

Database& thread_database(const std::filesystem::path& file) {
    thread_local std::unique_ptr<Database> db;
    if (!db || db->file() != file) db = std::make_unique<Database>(file);
    return *db;
}

Poco::JSON::Object::Ptr parse_object(const std::string& body) {
    try {
        return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception&) {
        return nullptr;
    } catch (const std::exception&) {
        return nullptr;
    }
}

Poco::JSON::Object::Ptr read_json_body(HttpContext& context, HTTPServerRequest& request,
                                       HTTPServerResponse& response) {
    BodyRead read = read_body(context, request, kMaxApiBodyBytes);
    if (read.end != BodyEnd::complete) {
        // What is left of the body is never read: the connection cannot carry another request.
        response.setKeepAlive(false);
    }
    switch (read.end) {
        case BodyEnd::complete:
            break;
        case BodyEnd::too_large:
            send_error(response, HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE,
                       "body over the " + std::to_string(kMaxApiBodyBytes) + "-byte limit");
            return nullptr;
        case BodyEnd::timed_out:
            send_error(response, HTTPResponse::HTTP_REQUEST_TIMEOUT, "body not received in time");
            return nullptr;
        case BodyEnd::truncated:
        case BodyEnd::stopped:
            send_error(response, HTTPResponse::HTTP_BAD_REQUEST,
                       "body cut short before its Content-Length or last chunk");
            return nullptr;
    }
    auto object = parse_object(read.body);
    if (!object) send_error(response, HTTPResponse::HTTP_BAD_REQUEST, "body is not a JSON object");
    return object;
}

}  // namespace fmg::coordinator::http
