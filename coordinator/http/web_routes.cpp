// GET  /                 the pipelines (a session; else 303 to /login)
// GET  /login            the log-in form
// POST /login            token=...: 303 to / with the session cookie; 401 and the form again
// POST /logout           csrf=...: ends the session, 303 to /login
// GET  /static/NAME      a compiled-in static file, with its ETag

#include "coordinator/http/web_routes.h"

#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/URI.h>
#include <openssl/crypto.h>

#include <sstream>

#include "coordinator/store/pipeline_store.h"
#include "coordinator/store/session_store.h"
#include "coordinator/store/token_store.h"
#include "coordinator/web/pages.h"
#include "coordinator/web/static_files.h"
#include "shared/crypto.h"

namespace fmg::coordinator::http {
namespace {

constexpr const char* kSessionCookie = "fmg_session";
// A log-in or log-out form: a token or a CSRF value and little else.
constexpr size_t kMaxFormBytes = 4096;
constexpr int64_t kPipelinesShown = 50;

void send_html(HTTPServerResponse& response, HTTPResponse::HTTPStatus status,
               const std::string& html) {
    response.setStatusAndReason(status);
    response.setContentType("text/html; charset=utf-8");
    // Pages hold what only a session may read, and change as pipelines run.
    response.set("Cache-Control", "no-store");
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Content-Security-Policy",
                 "default-src 'self'; frame-ancestors 'none'; form-action 'self'");
    response.setContentLength(static_cast<std::streamsize>(html.size()));
    response.send() << html;
}

void redirect(HTTPServerResponse& response, const std::string& location) {
    response.setStatusAndReason(HTTPResponse::HTTP_SEE_OTHER);
    response.set("Location", location);
    response.setContentLength(0);
    response.send();
}

/// The session cookie's value, or empty.
std::string session_cookie(const HTTPServerRequest& request) {
    Poco::Net::NameValueCollection cookies;
    request.getCookies(cookies);
    return cookies.get(kSessionCookie, "");
}

std::optional<web::Viewer> viewer_of(HttpContext& context, const HTTPServerRequest& request) {
    const std::string cookie = session_cookie(request);
    if (cookie.empty()) return std::nullopt;
    auto session =
        sessions::find(thread_database(context.database_file), cookie, context.clock.wall_ms());
    if (!session) return std::nullopt;
    return web::Viewer{session->token_name, session->role, session->csrf};
}

/// `Set-Cookie` for the session (`value` empty: one that removes it).
void set_session_cookie(HttpContext& context, HTTPServerResponse& response,
                        const std::string& value) {
    std::string cookie =
        std::string(kSessionCookie) + "=" + value +
        "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
        (value.empty() ? "0" : std::to_string(sessions::kSessionLifetimeMs / 1000));
    if (!context.settings.tls_cert.empty()) cookie += "; Secure";
    response.add("Set-Cookie", cookie);
}

/// A form POST from another site is refused: its Origin (or, without one, Referer) must be
/// this server's, as the request's Host or --public-url names it (a proxy may send its own
/// Host). SameSite=Strict keeps the cookie off it already; this holds without it.
bool same_origin(const HttpContext& context, const HTTPServerRequest& request) {
    std::string origin = request.get("Origin", "");
    if (origin.empty()) {
        const std::string referer = request.get("Referer", "");
        if (referer.empty()) return true;  // a client that sends neither is no browser
        try {
            Poco::URI uri(referer);
            origin = uri.getScheme() + "://" + uri.getAuthority();
        } catch (const Poco::Exception&) {
            return false;
        }
    }
    if (origin == "null") return false;
    try {
        const Poco::URI from(origin);
        const Poco::URI public_url(context.settings.public_url);
        return from.getAuthority() == request.getHost() ||
               (from.getScheme() == public_url.getScheme() &&
                from.getAuthority() == public_url.getAuthority());
    } catch (const Poco::Exception&) {
        return false;
    }
}

/// The form's fields, or nullopt after answering 400/413.
std::optional<Poco::Net::NameValueCollection> read_form(HttpContext& context,
                                                        HTTPServerRequest& request,
                                                        HTTPServerResponse& response) {
    BodyRead read = read_body(context, request, kMaxFormBytes);
    if (read.end != BodyEnd::complete) {
        response.setKeepAlive(false);
        OPENSSL_cleanse(read.body.data(), read.body.size());
        send_html(response,
                  read.end == BodyEnd::too_large ? HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE
                                                 : HTTPResponse::HTTP_BAD_REQUEST,
                  web::login_page("the form was not received whole"));
        return std::nullopt;
    }
    Poco::Net::NameValueCollection fields;
    try {
        Poco::Net::HTMLForm form;
        std::istringstream in(read.body);
        form.load(request, in);
        for (const auto& [name, value] : form) fields.add(name, value);
    } catch (const Poco::Exception&) {
        fields.clear();
    }
    OPENSSL_cleanse(read.body.data(), read.body.size());
    return fields;
}

void log_in(HttpContext& context, HTTPServerRequest& request, HTTPServerResponse& response) {
    if (!same_origin(context, request)) {
        return send_html(response, HTTPResponse::HTTP_FORBIDDEN,
                         web::login_page("this form must be sent from this server's own page"));
    }
    auto fields = read_form(context, request, response);
    if (!fields) return;
    std::string token = fields->get("token", "");
    Database& db = thread_database(context.database_file);
    auto row = tokens::authenticate(db, token, context.clock.wall_ms());
    OPENSSL_cleanse(token.data(), token.size());
    if (!row) {
        return send_html(response, HTTPResponse::HTTP_UNAUTHORIZED,
                         web::login_page("that token is unknown or revoked"));
    }
    const sessions::Started started = sessions::start(db, row->id, context.clock.wall_ms());
    set_session_cookie(context, response, started.cookie);
    redirect(response, "/");
}

void log_out(HttpContext& context, HTTPServerRequest& request, HTTPServerResponse& response) {
    auto viewer = viewer_of(context, request);
    if (!viewer) return redirect(response, "/login");
    auto fields = read_form(context, request, response);
    if (!fields) return;
    if (!same_origin(context, request) ||
        !crypto::constant_time_equals(fields->get("csrf", ""), viewer->csrf)) {
        return send_html(response, HTTPResponse::HTTP_FORBIDDEN,
                         web::login_page("the log-out form did not come from this session"));
    }
    sessions::end(thread_database(context.database_file), session_cookie(request));
    set_session_cookie(context, response, "");
    redirect(response, "/login");
}

void static_file(const std::string& name, HTTPServerRequest& request,
                 HTTPServerResponse& response) {
    auto file = web::find_static_file(name);
    if (!file) return send_error(response, HTTPResponse::HTTP_NOT_FOUND, "no such file");
    const std::string etag = "\"" + std::string(file->sha256) + "\"";
    response.set("ETag", etag);
    response.set("Cache-Control", "no-cache");
    response.set("X-Content-Type-Options", "nosniff");
    if (request.get("If-None-Match", "") == etag) {
        response.setStatusAndReason(HTTPResponse::HTTP_NOT_MODIFIED);
        response.setContentLength(0);
        response.send().flush();
        return;
    }
    response.setStatusAndReason(HTTPResponse::HTTP_OK);
    response.setContentType(std::string(web::content_type_of(file->name)));
    response.setContentLength(static_cast<std::streamsize>(file->bytes.size()));
    response.send().write(file->bytes.data(), static_cast<std::streamsize>(file->bytes.size()));
}

}  // namespace

bool is_web_path(const std::string& path) {
    return path == "/" || path == "/login" || path == "/logout" || path.rfind("/static/", 0) == 0;
}

void route_web(HttpContext& context, HTTPServerRequest& request, HTTPServerResponse& response) {
    const std::string path = Poco::URI(request.getURI()).getPath();
    const std::string& method = request.getMethod();
    const bool read = method == "GET" || method == "HEAD";
    if (path.rfind("/static/", 0) == 0 && read)
        return static_file(path.substr(8), request, response);
    if (path == "/login" && read)
        return send_html(response, HTTPResponse::HTTP_OK, web::login_page(""));
    if (path == "/login" && method == "POST") return log_in(context, request, response);
    if (path == "/logout" && method == "POST") return log_out(context, request, response);
    if (path == "/" && read) {
        auto viewer = viewer_of(context, request);
        if (!viewer) return redirect(response, "/login");
        Database& db = thread_database(context.database_file);
        pipelines::ListFilter filter;
        filter.limit = kPipelinesShown;
        auto [total, rows] = pipelines::list(db, filter);
        return send_html(response, HTTPResponse::HTTP_OK,
                         web::pipelines_page(rows, total, *viewer, context.clock.wall_ms()));
    }
    response.set("Allow", path == "/login" ? "GET, POST" : path == "/logout" ? "POST" : "GET");
    send_error(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED, method + " is not allowed here");
}

}  // namespace fmg::coordinator::http
