#include "coordinator/http/responses.h"

#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <memory>
#include <sstream>

#include "coordinator/constants.h"
#include "shared/crypto.h"

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

std::optional<std::string> read_body(HTTPServerRequest& request, size_t limit) {
    std::string body;
    std::istream& in = request.stream();
    char buffer[65536];
    bool too_large = request.hasContentLength() &&
                     request.getContentLength64() > static_cast<Poco::Int64>(limit);
    while (!too_large && in) {
        in.read(buffer, sizeof buffer);
        body.append(buffer, static_cast<size_t>(in.gcount()));
        too_large = body.size() > limit;
    }
    if (!too_large) return body;
    // Read (and drop) what the client is still sending, up to twice the limit, so it gets to
    // read the refusal instead of a reset connection.
    size_t drained = body.size();
    while (in && drained < 2 * limit) {
        in.read(buffer, sizeof buffer);
        drained += static_cast<size_t>(in.gcount());
    }
    return std::nullopt;
}

bool authorized(const HttpContext& context, HTTPServerRequest& request,
                HTTPServerResponse& response) {
    const std::string prefix = "Bearer ";
    std::string header = request.get("Authorization", "");
    if (header.rfind(prefix, 0) == 0 &&
        crypto::constant_time_equals(header.substr(prefix.size()), context.identity.admin_token)) {
        return true;
    }
    send_error(response, HTTPResponse::HTTP_UNAUTHORIZED,
               header.empty() ? "missing Authorization: Bearer TOKEN" : "invalid token");
    return false;
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

Poco::JSON::Object::Ptr read_json_body(HTTPServerRequest& request, HTTPServerResponse& response) {
    auto body = read_body(request, kMaxApiBodyBytes);
    if (!body) {
        send_error(response, HTTPResponse::HTTP_REQUESTENTITYTOOLARGE, "body too large");
        return nullptr;
    }
    auto object = parse_object(*body);
    if (!object) send_error(response, HTTPResponse::HTTP_BAD_REQUEST, "body is not a JSON object");
    return object;
}

}  // namespace fmg::coordinator::http
